package repl

import "strings"

// Incomplete reports whether src needs more lines before it can run: a
// bracket, parenthesis or brace is still open (outside strings and
// comments), or the last line ends with an operator, a comma or a keyword
// that continues the statement. An unmatched closer or an unterminated
// string is not incomplete: running it reports the error.
func Incomplete(src string) bool {
	depth := 0
	last := "" // last significant token on the current logical line
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			i--
		case c == '"':
			end, closed := skipString(src, i)
			if !closed {
				return false
			}
			i, last = end, "string"
		case c == '(' || c == '[' || c == '{':
			depth++
			last = string(c)
		case c == ')' || c == ']' || c == '}':
			depth--
			if depth < 0 {
				return false
			}
			last = string(c)
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
		case isWordByte(c):
			start := i
			for i+1 < len(src) && isWordByte(src[i+1]) {
				i++
			}
			last = src[start : i+1]
		default:
			last = operatorAt(src, i)
			i += len(last) - 1
		}
	}
	return depth > 0 || continues[last]
}

// skipString returns the index of the closing quote of the string that
// starts at src[i], and false when the line ends first.
func skipString(src string, i int) (int, bool) {
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '\\':
			j++
		case '"':
			return j, true
		case '\n':
			return j, false
		}
	}
	return len(src), false
}

func operatorAt(src string, i int) string {
	if i+1 < len(src) && src[i+1] == '=' && strings.IndexByte("=!<>", src[i]) >= 0 {
		return src[i : i+2]
	}
	return src[i : i+1]
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// continues lists the tokens after which a newline does not end a
// statement (as in the lexer: docs/LANGUAGE.md, "Lexical").
var continues = map[string]bool{
	"+": true, "-": true, "*": true, "/": true, "%": true, "^": true,
	"==": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true,
	"=": true, ",": true, ":": true, ".": true, "(": true, "[": true, "{": true,
	"and": true, "or": true, "not": true,
}
