package importer

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// scriptWriter builds an indented .ngs script line by line.
type scriptWriter struct {
	b      strings.Builder
	indent int
}

// line writes one formatted line at the current indentation.
func (w *scriptWriter) line(format string, args ...any) {
	text := fmt.Sprintf(format, args...)
	if text != "" {
		w.b.WriteString(strings.Repeat("    ", w.indent))
	}
	w.b.WriteString(text)
	w.b.WriteByte('\n')
}

// open writes "HEAD {" and indents what follows.
func (w *scriptWriter) open(format string, args ...any) {
	w.line(format+" {", args...)
	w.indent++
}

// close ends the block opened last.
func (w *scriptWriter) close() {
	w.indent--
	w.line("}")
}

// comment writes "# text", one line per line of text.
func (w *scriptWriter) comment(text string) {
	for _, l := range strings.Split(text, "\n") {
		w.line("%s", strings.TrimRight("# "+l, " "))
	}
}

// formatInt writes an integer, with _ between thousands from 10_000 up.
func formatInt(v int) string {
	s := strconv.Itoa(v)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if len(s) > 4 {
		var parts []string
		for len(s) > 3 {
			parts = append([]string{s[len(s)-3:]}, parts...)
			s = s[:len(s)-3]
		}
		s = strings.Join(append([]string{s}, parts...), "_")
	}
	if neg {
		return "-" + s
	}
	return s
}

// formatNumber writes a number the way a person would: 10, 0.25, 7.5e-4.
func formatNumber(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return formatInt(int(v))
	}
	if a := math.Abs(v); a < 0.01 || a >= 1e6 {
		s := strconv.FormatFloat(v, 'e', -1, 64) // 7.5e-04
		mantissa, exp, _ := strings.Cut(s, "e")
		sign := ""
		if strings.HasPrefix(exp, "-") {
			sign = "-"
		}
		exp = strings.TrimLeft(strings.TrimLeft(exp, "+-"), "0")
		return mantissa + "e" + sign + exp
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// typeName names the k-th of n neuron types: A, B, ... or T1, T2, ... past 26.
func typeName(k, n int) string {
	if n <= 26 {
		return string(rune('A' + k))
	}
	return "T" + strconv.Itoa(k+1)
}
