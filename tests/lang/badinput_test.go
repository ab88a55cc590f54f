package lang

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ngs-lab/ngs/lang"
)

// badInputs are inputs that cannot be written as golden scripts; each
// expects exactly one error with this text (FILE:LINE:COL: message).
var badInputs = []struct {
	name string
	src  func() []byte
	want string
}{
	{"empty file", text(""), "bad.ngs:1:1: empty script: there is nothing to run"},
	{"only comments", text("# nothing\n\n   # here\n"), "bad.ngs:1:1: empty script: there is nothing to run"},
	{"binary garbage", func() []byte { return []byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0} }, "bad.ngs:1:8: invalid NUL byte: this looks like a binary file, not an .ngs script"},
	{"invalid UTF-8", text("x = 1\ny = \"a\xff\"\n"), "bad.ngs:2:7: invalid UTF-8 byte 0xff: scripts must be UTF-8 text"},
	{"unterminated string", text("x = 1\nname = \"abc\n"), "bad.ngs:2:8: unterminated string: no closing '\"' on this line"},
	{"unterminated block", text("fn f() {\n  x = 1\n"), "bad.ngs:1:8: unclosed \"{\": no matching \"}\" before the end of the file"},
	{"unterminated call", text("print(1,\n  2\n"), "bad.ngs:1:6: unclosed \"(\": no matching \")\" before the end of the file"},
	{"10,000 nested parentheses", func() []byte {
		return []byte("x = " + strings.Repeat("(", 10000) + "1" + strings.Repeat(")", 10000) + "\n")
	}, "bad.ngs:1:205: too deeply nested: more than 200 levels of brackets"},
	{"10,000 nested lists", func() []byte { return []byte("x = " + strings.Repeat("[", 10000)) }, "bad.ngs:1:205: too deeply nested: more than 200 levels of brackets"},
	{"100 MB line", func() []byte {
		return append([]byte("x = 1\ny = "), bytes.Repeat([]byte("1+"), 50_000_000)...)
	}, "bad.ngs:2:262145: line too long: lines may hold at most 262144 bytes"},
	{"3 MB file", func() []byte { return bytes.Repeat([]byte("x = 1 + 2 * 3\n"), 200_000) }, "bad.ngs:1:1: file too large: 2800000 bytes, the limit is 2097152"},
	{"5,000 unary minus", func() []byte { return []byte("x = " + strings.Repeat("-", 5000) + "1\n") }, "bad.ngs:1:2005: syntax error: expression too deeply nested (more than 2000 levels)"},
	{"5,000 not", func() []byte { return []byte("x = " + strings.Repeat("not ", 5000) + "1\n") }, "bad.ngs:1:8005: syntax error: expression too deeply nested (more than 2000 levels)"},
	{"long operator chain", func() []byte { return []byte("x = 1" + strings.Repeat(" + 1", 3000) + "\n") }, "bad.ngs:1:8003: syntax error: expression too deeply nested (more than 2000 levels)"},
	{"150 nested blocks with an error inside", func() []byte {
		return []byte(strings.Repeat("a {\n", 150) + " = " + strings.Repeat("}", 150))
	}, "bad.ngs:151:2: syntax error: unexpected token \"=\""},
	{"150 nested trailing blocks with an error inside", func() []byte {
		return []byte("x = f() {" + strings.Repeat("a {\n", 150) + " = " + strings.Repeat("}", 151))
	}, "bad.ngs:151:2: syntax error: unexpected token \"=\""},
	{"trailing operator at end of file", text("x = 1 +"), "bad.ngs:1:8: syntax error: expected an expression, found end of file"},
	{"dangling field dot", text("x = r."), "bad.ngs:1:7: syntax error: expected a field name after \".\", found end of file"},
	{"control character", text("x = 1\x01\n"), "bad.ngs:1:6: unexpected character '\\x01'"},
	{"unicode symbol", text("x = 1 × 2\n"), "bad.ngs:1:7: unexpected character '×' (U+00D7)"},
	{"keyword as a name", text("if = 3\n"), "bad.ngs:1:4: syntax error: unexpected token \"=\""},
	{"number out of range", text("x = 1e999\n"), "bad.ngs:1:5: syntax error: number 1e999 is out of range"},
}

func text(s string) func() []byte { return func() []byte { return []byte(s) } }

func TestBadInputs(t *testing.T) {
	for _, tc := range badInputs {
		t.Run(tc.name, func(t *testing.T) {
			src := tc.src()
			start := time.Now()
			_, err := lang.Parse("bad.ngs", src)
			if elapsed := time.Since(start); elapsed > 2*time.Second {
				t.Errorf("took %v: hostile input must be rejected quickly", elapsed)
			}
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("error:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestRenderShowsLineAndCaret(t *testing.T) {
	src := []byte("x = 1\ny = x +\tz\n")
	f, err := lang.Parse("r.ngs", src)
	if err != nil {
		t.Fatal(err)
	}
	err = lang.Check(f, lang.CheckConfig{})
	want := "r.ngs:2:9: undefined: z\n\ty = x +\tz\n\t       \t^\n"
	if got := lang.Render(err, src); got != want {
		t.Errorf("render:\n%q\nwant\n%q", got, want)
	}
}

func TestRenderInternalErrorIsOneLine(t *testing.T) {
	err := &lang.Error{Pos: lang.Pos{File: "a.ngs", Line: 3, Col: 4}, Msg: "internal error: this is a bug in ngs", Internal: true}
	if got := lang.Render(err, []byte("a\nb\nccccc\n")); got != "a.ngs:3:4: internal error: this is a bug in ngs\n" {
		t.Errorf("got %q", got)
	}
}

func TestErrorCountIsCapped(t *testing.T) {
	src := []byte(strings.Repeat("print(undefined_name)\n", 500))
	f, err := lang.Parse("many.ngs", src)
	if err != nil {
		t.Fatal(err)
	}
	err = lang.Check(f, lang.CheckConfig{Predeclared: map[string]lang.Symbol{"print": {Name: "print", Callable: true, Variadic: true}}})
	var list lang.ErrorList
	if !errors.As(err, &list) || len(list) != lang.MaxErrors+1 {
		t.Fatalf("got %d errors, want %d", len(list), lang.MaxErrors+1)
	}
	if last := list[len(list)-1].Error(); last != "many.ngs:100:7: too many errors (500); only the first 100 are shown" {
		t.Errorf("last error %q", last)
	}
}

func TestLargeValidScriptParsesInLinearTime(t *testing.T) {
	line := "x = max(1, 2) + 3 * y[1] - f(a = 2)\n"
	timeFor := func(n int) time.Duration {
		src := []byte(strings.Repeat(line, n))
		start := time.Now()
		if _, err := lang.Parse("big.ngs", src); err != nil {
			t.Fatal(err)
		}
		return time.Since(start)
	}
	small, large := timeFor(2000), timeFor(16000)
	if large > 30*small+time.Second {
		t.Errorf("8x input took %v vs %v: not linear", large, small)
	}
}

func TestByteOrderMarkIsSkipped(t *testing.T) {
	src := []byte("\xef\xbb\xbfx = y\r\n")
	f, err := lang.Parse("bom.ngs", src)
	if err != nil {
		t.Fatal(err)
	}
	err = lang.Check(f, lang.CheckConfig{})
	if got, want := lang.Render(err, src), "bom.ngs:1:5: undefined: y\n\tx = y\n\t    ^\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
