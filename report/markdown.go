package report

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// markdown renders report.md: the run description, each section with its
// figures (relative links) and table, the skipped sections with reasons, and
// every metric of tree in one table.
func (r *Report) markdown(now time.Time, tree *metricTree) []byte {
	var b strings.Builder
	title := r.meta.Script
	if title == "" {
		title = "ngs run"
	}
	fmt.Fprintf(&b, "# Report: %s\n\n", escapeCell(title))
	writeTable(&b, []string{"run", "value"}, r.runRows(now))
	if timing, ok := tree.get("timing"); ok {
		b.WriteString("\n## Timings\n\n")
		writeCodeTable(&b, []string{"phase", "seconds"}, groupRows(timing))
	}
	for _, s := range r.orderedSections() {
		writeSection(&b, s)
	}
	if skipped := r.skippedRows(); len(skipped) > 0 {
		b.WriteString("\n## Not computed\n\n")
		writeCodeTable(&b, []string{"section", "reason"}, skipped)
	}
	b.WriteString("\n## All metrics\n\n")
	var rows [][2]string
	for _, kv := range tree.flatten() {
		rows = append(rows, [2]string{kv[0].(string), formatValue(kv[1])})
	}
	writeCodeTable(&b, []string{"key", "value"}, rows)
	if missing := tree.missing(); len(missing) > 0 {
		fmt.Fprintf(&b, "\nMetrics that could not be computed (null in %s): %s\n", MetricsFile, "`"+strings.Join(missing, "`, `")+"`")
	}
	return []byte(b.String())
}

// sectionOrder is the order report.md shows the known sections in, whatever
// order they were added in; other sections follow in the order added.
var sectionOrder = []string{"summary", "activity", "training", "connectivity", "edges", "types", "functions.phi", "functions.psi", "rollout", "transfer", "external_input", "symbolic"}

// orderedSections returns the sections in report order.
func (r *Report) orderedSections() []*section {
	rank := func(key string) int {
		for i, k := range sectionOrder {
			if k == key {
				return i
			}
		}
		return len(sectionOrder)
	}
	out := append([]*section(nil), r.sections...)
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i].key) < rank(out[j].key) })
	return out
}

func (r *Report) runRows(now time.Time) [][2]string {
	return [][2]string{
		{"script", r.meta.Script},
		{"seed", fmt.Sprint(r.meta.Seed)},
		{"ngs version", r.meta.Version},
		{"Go version", r.meta.GoVersion},
		{"started", formatTime(r.meta.Start)},
		{"written", now.UTC().Format(time.RFC3339)},
	}
}

func (r *Report) skippedRows() [][2]string {
	var rows [][2]string
	for _, s := range r.sections {
		if s.skipReason != "" {
			rows = append(rows, [2]string{s.key, s.skipReason})
		}
	}
	return rows
}

// groupRows lists the leaves of one metric group, sorted by name.
func groupRows(group any) [][2]string {
	m, ok := group.(map[string]any)
	if !ok {
		return nil
	}
	t := &metricTree{root: m}
	var rows [][2]string
	for _, kv := range t.flatten() {
		rows = append(rows, [2]string{kv[0].(string), formatValue(kv[1])})
	}
	return rows
}

func writeSection(b *strings.Builder, s *section) {
	fmt.Fprintf(b, "\n## %s\n\n", escapeCell(s.title))
	if s.skipReason != "" {
		fmt.Fprintf(b, "Not computed: %s\n", escapeCell(s.skipReason))
		return
	}
	for _, f := range s.figures {
		fmt.Fprintf(b, "![%s](%s)\n\n*%s*\n\n", escapeCell(f.caption), f.file, escapeCell(f.caption))
	}
	if len(s.table) > 0 {
		writeTable(b, []string{"quantity", "value"}, s.table)
	}
	for _, n := range s.notes {
		fmt.Fprintf(b, "\n%s\n", n)
	}
}

func writeTable(b *strings.Builder, header []string, rows [][2]string) {
	fmt.Fprintf(b, "| %s | %s |\n|---|---|\n", header[0], header[1])
	for _, row := range rows {
		fmt.Fprintf(b, "| %s | %s |\n", escapeCell(row[0]), escapeCell(row[1]))
	}
}

// writeCodeTable writes a two-column table whose first column is code (metric keys
// and values).
func writeCodeTable(b *strings.Builder, header []string, rows [][2]string) {
	fmt.Fprintf(b, "| %s | %s |\n|---|---|\n", header[0], header[1])
	for _, row := range rows {
		fmt.Fprintf(b, "| `%s` | %s |\n", escapeCode(row[0]), escapeCell(row[1]))
	}
}

// escapeCell keeps prose on one Markdown table line and shows '*' and '_'
// literally instead of as emphasis.
func escapeCell(s string) string {
	s = strings.NewReplacer("*", "\\*", "_", "\\_").Replace(s)
	return escapeCode(s)
}

// escapeCode keeps text inside a code span on one table line; backslashes
// are literal in code spans, so only the table's '|' is escaped.
func escapeCode(s string) string {
	s = strings.ReplaceAll(s, "|", "\\|")
	return strings.ReplaceAll(s, "\n", " ")
}

// formatValue prints a metric value for people: floats with four significant
// digits, nil as "not computed".
func formatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "not computed"
	case float64:
		return formatFloat(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = formatValue(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}

func formatFloat(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "not computed"
	}
	return fmt.Sprintf("%.4g", x)
}
