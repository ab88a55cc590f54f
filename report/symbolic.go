package report

import (
	"fmt"
	"math"
	"strings"
)

// Expression is the formula symbolic regression chose for one learned
// function, with what it was chosen over.
type Expression struct {
	// Function names the learned function ("phi", "psi", …).
	Function string
	// Cluster is the cluster the formula belongs to, or -1 for a function
	// shared by all neurons.
	Cluster int
	// Type optionally names the true type the cluster's neurons mostly
	// have, whose true function Expected is.
	Type string
	// Expr is the chosen formula.
	Expr string
	// Expected optionally gives the true formula (the true constants) for
	// comparison.
	Expected string
	// Loss is the mean squared difference between the formula and the
	// learned curve it was fitted to; Complexity its size in nodes.
	Loss       float64
	Complexity int
	// R2 is the formula's R² against the learned curve (NaN when unknown).
	R2 float64
	// LearnedError is the learned curve's own root mean squared error
	// against the true function on the same grid (NaN without a truth):
	// the tolerance within which the true form is preferred.
	LearnedError float64
	// Selected says how the formula was chosen ("expected form within
	// tolerance", "simplest within tolerance", "PySR score").
	Selected string
	// Next lists the members of the Pareto front that follow the chosen
	// one (at most two shown).
	Next []Alternative
}

// Alternative is another member of a Pareto front.
type Alternative struct {
	Expr       string
	Loss       float64 // mean squared difference to the learned curve
	Complexity int
}

// symbolicDefinitions says what the symbolic table's numbers are.
const symbolicDefinitions = "RMSE is the root mean squared difference between a formula and the learned curve it was fitted to, on the grid the plots show. " +
	"The learned curve's own error is its RMSE against the true function. A formula within that error explains the learned curve as well as the truth does: " +
	"among those, a formula of the true form (its constants fitted to the learned curve, so they are what the network learned, not the true ones; a form without constants gets a scale) is chosen, " +
	"else the simplest; when none is within it, PySR's score chooses. The true form with fitted constants is always within that error (the true constants already are), so what the learned curve says is in the fitted constants, next to the true formula, " +
	"and in the next two members of the Pareto front (more complex formulas, or the simpler ones when the chosen is the last), which follow."

// Symbolic holds the formulas symbolic regression chose for the learned
// functions.
type Symbolic struct {
	Expressions []Expression
	// Note optionally says what was left out (for example clusters beyond
	// the first eight); it is stored as symbolic_note.
	Note string
}

// AddSymbolic adds the "symbolic" section: a table of the chosen formulas
// with their errors and the next members of their Pareto fronts. Formulas
// are stored in metrics.json as symbolic.<function> (shared functions) or
// symbolic.<function>.cluster<k> (per-cluster functions), and the numbers
// under symbolic_fit.<function>[.cluster<k>]: rmse, r2, complexity,
// learned_rmse, selected, type, expected, next and next_rmse.
func (r *Report) AddSymbolic(s Symbolic) error {
	const name = "symbolic"
	if len(s.Expressions) == 0 {
		return r.fail(name, fmt.Errorf("symbolic: expected at least one expression, found none"))
	}
	var rows [][]string
	for _, e := range s.Expressions {
		if e.Function == "" || e.Expr == "" {
			return r.fail(name, fmt.Errorf("symbolic: expected a function name and a formula, found %q and %q", e.Function, e.Expr))
		}
		cluster := "all"
		if e.Cluster >= 0 {
			cluster = fmt.Sprint(e.Cluster)
		}
		if e.Type != "" {
			cluster += " (" + e.Type + ")"
		}
		var cells []string
		for _, a := range e.Next {
			cells = append(cells, fmt.Sprintf("%s (RMSE %s)", code(a.Expr), formatFloat(math.Sqrt(a.Loss))))
		}
		nextCell := strings.Join(cells, "; ")
		if nextCell == "" {
			nextCell = "—"
		}
		selected := e.Selected
		if selected == "" {
			selected = "—"
		}
		rows = append(rows, []string{escapeCell(e.Function), escapeCell(cluster), code(e.Expr), formatFloat(math.Sqrt(e.Loss)),
			code(e.Expected), formatFloat(e.LearnedError), escapeCell(selected), fmt.Sprint(e.Complexity), nextCell})
	}
	sm := &SymbolicMetrics{Expressions: append([]Expression(nil), s.Expressions...), Note: s.Note}
	if err := r.store(name, func(m *Metrics) { m.Symbolic = sm }); err != nil {
		return err
	}
	var b strings.Builder
	writeWideTable(&b, []string{"function", "cluster (true type)", "chosen formula", "RMSE", "true formula", "learned curve's own RMSE", "chosen by", "complexity", "next on the Pareto front"}, rows)
	r.addSection(&section{key: name, title: "Symbolic regression", notes: []string{b.String(), symbolicDefinitions}}, nil)
	return nil
}

// writeWideTable writes a Markdown table whose cells are already escaped.
func writeWideTable(b *strings.Builder, header []string, rows [][]string) {
	b.WriteString("|")
	for _, h := range header {
		b.WriteString(" " + escapeCell(h) + " |")
	}
	b.WriteString("\n|")
	for range header {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, row := range rows {
		b.WriteString("|")
		for _, c := range row {
			b.WriteString(" " + c + " |")
		}
		b.WriteString("\n")
	}
}

// code formats a formula as inline code, or a dash when empty.
func code(s string) string {
	if s == "" {
		return "—"
	}
	return "`" + escapeCode(s) + "`"
}
