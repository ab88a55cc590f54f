// Package e2e holds end-to-end tests: shipped scripts run through the
// embedding API, with their outputs (metrics.json, plots) checked against
// the outcomes the project promises.
package e2e
