package report

import "fmt"

// AddTable adds a section of plain numbers (for example a parameter sweep)
// with a title and (quantity, value) rows; each row whose key is not empty
// is also stored as metric <section>.<key>. Use it for results that have no
// dedicated Add method.
func (r *Report) AddTable(sectionName, title string, rows []TableRow) error {
	if sectionName == "" {
		return fmt.Errorf("table: expected a section name, found an empty string")
	}
	var values []metricValue
	table := make([][2]string, 0, len(rows))
	for _, row := range rows {
		table = append(table, [2]string{row.Label, formatValue(mustNormalise(row.Value))})
		if row.Key != "" {
			values = append(values, metricValue{row.Key, row.Value})
		}
	}
	if err := r.setCustom(sectionName, values); err != nil {
		return r.fail(sectionName, err)
	}
	r.addSection(&section{key: sectionName, title: title, table: table}, nil)
	return nil
}

// TableRow is one row of AddTable: a label for people, an optional metric
// key (relative to the section) and the value.
type TableRow struct {
	Label string
	Key   string
	Value any
}

// mustNormalise converts a value for display, showing unsupported values
// with fmt's default format.
func mustNormalise(v any) any {
	out, _, err := normalise(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return out
}
