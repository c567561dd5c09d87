// Preloaded into the service under test only (NODE_OPTIONS=--import): SIGUSR2 makes a promise reject with nobody
// listening, so the service's policy for unhandled failures can be tested against the built process.
import process from 'node:process';

process.on('SIGUSR2', () => {
  void Promise.reject(new Error('test: a rejection nobody handles'));
});
