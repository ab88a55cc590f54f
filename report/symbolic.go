package report

import "fmt"

// Expression is one formula found by symbolic regression.
type Expression struct {
	// Function names the learned function ("phi", "psi", …).
	Function string
	// Cluster is the cluster the formula belongs to, or -1 for a function
	// shared by all neurons.
	Cluster int
	// Expr is the formula.
	Expr string
	// Expected optionally gives the true formula for comparison.
	Expected string
	// Loss is the fit error of the formula; Complexity its size.
	Loss       float64
	Complexity int
}

// AddSymbolic adds the "symbolic" section: a table of formulas, stored in
// metrics.json as symbolic.<function> (shared functions) or
// symbolic.<function>.cluster<k> (per-cluster functions).
func (r *Report) AddSymbolic(exprs []Expression) error {
	const name = "symbolic"
	if len(exprs) == 0 {
		return r.fail(name, fmt.Errorf("symbolic: expected at least one expression, found none"))
	}
	var values []metricValue
	rows := "| function | cluster | formula | expected | loss | complexity |\n|---|---|---|---|---|---|\n"
	for _, e := range exprs {
		if e.Function == "" || e.Expr == "" {
			return r.fail(name, fmt.Errorf("symbolic: expected a function name and a formula, found %q and %q", e.Function, e.Expr))
		}
		key, cluster := e.Function, "all"
		if e.Cluster >= 0 {
			key, cluster = fmt.Sprintf("%s.cluster%d", e.Function, e.Cluster), fmt.Sprint(e.Cluster)
		}
		values = append(values, metricValue{key, e.Expr})
		rows += fmt.Sprintf("| %s | %s | `%s` | %s | %s | %d |\n", escapeCell(e.Function), cluster, escapeCode(e.Expr), code(e.Expected), formatFloat(e.Loss), e.Complexity)
	}
	if err := r.setAll(name, values); err != nil {
		return r.fail(name, err)
	}
	r.addSection(&section{key: name, title: "Symbolic regression", notes: []string{rows}}, nil)
	return nil
}

// code formats a formula as inline code, or a dash when empty.
func code(s string) string {
	if s == "" {
		return "—"
	}
	return "`" + escapeCode(s) + "`"
}
