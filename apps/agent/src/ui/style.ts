/** Served as /ui/assets/style.css: a stylesheet from 'self' is all the Content-Security-Policy allows. */
export const STYLE_CSS = `
:root { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; }
body { margin: 0; }
header { background: #24292f; color: #fff; padding: 0.6rem 1.2rem; }
header .brand { color: #fff; font-weight: 600; text-decoration: none; margin-right: 0.6rem; }
header .muted { color: #c9d1d9; }
main { padding: 1rem 1.2rem; max-width: 1400px; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 1.6rem; border-bottom: 1px solid #d0d7de; } h3 { font-size: 1rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.88rem; }
th, td { text-align: left; vertical-align: top; padding: 0.3rem 0.5rem; border-bottom: 1px solid #eaeef2; }
th { background: #f6f8fa; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 0.82rem; }
pre { background: #f6f8fa; padding: 0.6rem; white-space: pre-wrap; word-break: break-word; max-height: 32rem; overflow: auto; }
.muted { color: #656d76; }
.badge { display: inline-block; padding: 0.05rem 0.5rem; border-radius: 1rem; font-size: 0.8rem; font-weight: 600; }
.badge.promote { background: #dafbe1; color: #116329; } .badge.reject { background: #ffebe9; color: #a40e26; }
.badge.inconclusive { background: #fff8c5; color: #7d4e00; }
.tag { display: inline-block; margin-left: 0.4rem; padding: 0 0.4rem; border-radius: 0.3rem; background: #eaeef2; font-size: 0.75rem; }
.tag.seen { background: #fff8c5; } .tag.new { background: #ddf4ff; }
.reason { max-width: 40rem; }
.detail { color: #656d76; font-size: 0.8rem; }
tr.critical td, tr.canary-only td { background: #fff5f5; }
tr.current td { background: #f6f8fa; font-weight: 600; }
.text { white-space: pre-wrap; }
.filters { display: flex; gap: 1rem; align-items: end; margin-bottom: 1rem; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 0.2rem 1rem; }
dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; }
.error { color: #a40e26; }
.chart { display: block; }
`;

export const ICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#cf222e"/><circle cx="8" cy="8" r="3" fill="#fff"/></svg>';
