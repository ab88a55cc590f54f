package lang

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ngs-lab/ngs/lang"
	"github.com/ngs-lab/ngs/runtime"
	_ "github.com/ngs-lab/ngs/stdlib"
)

// The golden scripts under testdata/ are split into chunks by lines that
// hold only "---". In a chunk:
//
//   - a comment `### "regexp"` at the end of a line expects an error on
//     that line whose message matches regexp; `### 12: "regexp"` also
//     expects column 12. Every error reported must be expected, and every
//     expectation met.
//   - a block starting with a line `# output:` and continuing with lines
//     `# TEXT` is the exact expected standard output of the run.

// expectation is one ### comment.
type expectation struct {
	line, col int
	re        *regexp.Regexp
	met       bool
}

var expectRE = regexp.MustCompile(`###\s*(?:(\d+):\s*)?"((?:[^"\\]|\\.)*)"`)

type chunk struct {
	file   string
	line   int // first line of the chunk in the file
	src    string
	expect []*expectation
	output *string
}

func parseChunks(t *testing.T, path string) []*chunk {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var chunks []*chunk
	cur := &chunk{file: path, line: 1}
	var lines []string
	flush := func(next int) {
		cur.src = strings.Join(lines, "\n") + "\n"
		chunks = append(chunks, cur)
		cur, lines = &chunk{file: path, line: next}, nil
	}
	all := strings.Split(string(data), "\n")
	inOutput := false
	for i, l := range all {
		if l == "---" {
			flush(i + 2)
			inOutput = false
			continue
		}
		lines = append(lines, l)
		if l == "# output:" {
			empty := ""
			cur.output, inOutput = &empty, true
			continue
		}
		if inOutput && strings.HasPrefix(l, "#") {
			*cur.output += strings.TrimPrefix(strings.TrimPrefix(l, "#"), " ") + "\n"
			continue
		}
		inOutput = false
		for _, m := range expectRE.FindAllStringSubmatch(l, -1) {
			col := 0
			if m[1] != "" {
				col, _ = strconv.Atoi(m[1])
			}
			pattern, err := strconv.Unquote(`"` + m[2] + `"`)
			if err != nil {
				t.Fatalf("%s:%d: bad expectation: %v", path, i+1, err)
			}
			cur.expect = append(cur.expect, &expectation{line: len(lines), col: col, re: regexp.MustCompile(pattern)})
		}
	}
	if len(lines) > 0 {
		flush(0)
	}
	return chunks
}

// runChunk compiles and runs a chunk, returning its output and errors.
func runChunk(name string, src []byte) (string, lang.ErrorList) {
	var out strings.Builder
	prog, err := runtime.Compile(name, src, runtime.CompileOptions{})
	if err == nil {
		_, err = prog.Run(context.Background(), runtime.RunOptions{Stdout: &out, StepBudget: 10_000_000})
	}
	if err == nil {
		return out.String(), nil
	}
	var list lang.ErrorList
	var single *lang.Error
	switch {
	case errors.As(err, &list):
		return out.String(), list
	case errors.As(err, &single):
		return out.String(), lang.ErrorList{single}
	}
	return out.String(), lang.ErrorList{{Msg: "unpositioned error: " + err.Error()}}
}

func TestGoldenScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.ngs")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden scripts: %v", err)
	}
	for _, f := range files {
		for _, c := range parseChunks(t, f) {
			name := fmt.Sprintf("%s:%d", filepath.Base(f), c.line)
			t.Run(name, func(t *testing.T) { checkChunk(t, c) })
		}
	}
}

func checkChunk(t *testing.T, c *chunk) {
	out, errs := runChunk("chunk.ngs", []byte(c.src))
	for _, e := range errs {
		matched := false
		for _, x := range c.expect {
			if x.line == e.Pos.Line && (x.col == 0 || x.col == e.Pos.Col) && x.re.MatchString(e.Msg) {
				x.met, matched = true, true
			}
		}
		if !matched {
			t.Errorf("%s:%d: unexpected error: %v", c.file, c.line+e.Pos.Line-1, e)
		}
	}
	for _, x := range c.expect {
		if !x.met {
			t.Errorf("%s:%d: expected error matching %q (col %d) did not occur", c.file, c.line+x.line-1, x.re, x.col)
		}
	}
	if c.output != nil && out != *c.output {
		t.Errorf("%s:%d: output:\n%s\nwant:\n%s", c.file, c.line, out, *c.output)
	}
}
