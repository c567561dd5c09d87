{{/* Chart name, overridable. */}}
{{- define "aiops-agent.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Resource name. The release name itself (not release-chart), so that `helm install kubernetes-agent` gives the
Service `kubernetes-agent`, which is the agentUrl host in the metric-ai plugin's examples.
*/}}
{{- define "aiops-agent.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Cluster-scoped objects are shared by every release in the cluster: the namespace keeps them apart. */}}
{{- define "aiops-agent.clusterName" -}}
{{- printf "%s-%s" (include "aiops-agent.fullname" .) .Release.Namespace | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "aiops-agent.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "aiops-agent.selectorLabels" -}}
app.kubernetes.io/name: {{ include "aiops-agent.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "aiops-agent.labels" -}}
helm.sh/chart: {{ include "aiops-agent.chart" . }}
{{ include "aiops-agent.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: canary-analysis
{{- end -}}

{{- define "aiops-agent.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "aiops-agent.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "aiops-agent.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* Secret holding the credentials: the operator's existing one, or the one this chart creates. */}}
{{- define "aiops-agent.secretName" -}}
{{- default (include "aiops-agent.fullname" .) .Values.secrets.existingSecret -}}
{{- end -}}

{{/* True (non-empty) when the chart creates its own Secret: no existing one and at least one value set. */}}
{{- define "aiops-agent.createSecret" -}}
{{- if not .Values.secrets.existingSecret -}}
{{- range $name, $value := .Values.secrets.values -}}
{{- if $value }}true{{ end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Namespaces with a Role + RoleBinding; the release namespace when none are listed. */}}
{{- define "aiops-agent.rbacNamespaces" -}}
{{- if .Values.rbac.namespaces -}}
{{- toJson (uniq .Values.rbac.namespaces) -}}
{{- else -}}
{{- toJson (list .Release.Namespace) -}}
{{- end -}}
{{- end -}}

{{- define "aiops-agent.a2aPublicUrl" -}}
{{- default (printf "http://%s.%s.svc:%d" (include "aiops-agent.fullname" .) .Release.Namespace (int64 .Values.service.port)) .Values.config.a2a.publicUrl -}}
{{- end -}}

{{- define "aiops-agent.a2aTokensPath" -}}/etc/aiops-agent/a2a/tokens{{- end -}}
{{- define "aiops-agent.kubeconfigPath" -}}/etc/aiops-agent/kube/config{{- end -}}
{{- define "aiops-agent.queriesPath" -}}/etc/aiops-agent/prometheus/queries.json{{- end -}}
{{- define "aiops-agent.a2aNamespacesPath" -}}/etc/aiops-agent/a2a-namespaces/namespaces.json{{- end -}}

{{/*
One credential as an env var from a Secret. With an existing Secret the reference is optional, so a key the
operator did not provide leaves the variable unset; with the chart's Secret only values that are set appear.
Arguments: (list $root credentialName ENV_NAME).
*/}}
{{- define "aiops-agent.secretEnv" -}}
{{- $root := index . 0 -}}
{{- $credential := index . 1 -}}
{{- $envName := index . 2 -}}
{{- $existing := $root.Values.secrets.existingSecret -}}
{{- if or $existing (get $root.Values.secrets.values $credential) }}
- name: {{ $envName }}
  valueFrom:
    secretKeyRef:
      name: {{ include "aiops-agent.secretName" $root }}
      key: {{ get $root.Values.secrets.keys $credential }}
      {{- if $existing }}
      optional: true
      {{- end }}
{{- end }}
{{- end -}}

{{/* True (non-empty) when bearer auth has a tokens file: the chart's Secret value, or the existing Secret's key. */}}
{{- define "aiops-agent.mountA2aTokens" -}}
{{- if and (eq .Values.config.a2a.auth "bearer") (or .Values.secrets.existingSecret .Values.secrets.values.a2aTokens) -}}
true
{{- end -}}
{{- end -}}

{{/* REDIS_URL from redis.existingSecret, else from this chart's Redis Secret when redis.url is set. */}}
{{- define "aiops-agent.redisEnv" -}}
{{- if .Values.redis.existingSecret }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.existingSecret }}
      key: {{ .Values.redis.existingSecretKey }}
{{- else if .Values.redis.url }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "aiops-agent.fullname" . }}-redis
      key: REDIS_URL
{{- end }}
{{- end -}}
