package report

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// report.html is one file: every figure of report.md inline as a data URI,
// nothing fetched from elsewhere, tables sortable, the summary as SVG.
func TestHTMLIsSelfContained(t *testing.T) {
	dir, _ := closeFull(t)
	page, err := os.ReadFile(filepath.Join(dir, HTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, MarkdownFile))
	if err != nil {
		t.Fatal(err)
	}
	figures := strings.Count(string(md), "\n![")
	imgs := regexp.MustCompile(`<img src="([^"]*)"`).FindAllStringSubmatch(string(page), -1)
	if len(imgs) != figures || figures < 10 {
		t.Errorf("%d inline images for %d figures in report.md", len(imgs), figures)
	}
	for _, m := range imgs {
		if !strings.HasPrefix(m[1], "data:image/png;base64,") && !strings.HasPrefix(m[1], "data:image/svg+xml;base64,") {
			t.Errorf("image not inline: %.60s", m[1])
		}
	}
	if !strings.Contains(string(page), "data:image/svg+xml;base64,") {
		t.Errorf("the summary figure is not inline as SVG")
	}
	for _, bad := range []string{`src="http`, `href="http`, `<link `, `@import`} {
		if strings.Contains(string(page), bad) {
			t.Errorf("report.html refers outside itself: %q", bad)
		}
	}
	tables := strings.Count(string(page), `<table class="sortable">`)
	if want := strings.Count(string(md), "\n|---"); tables != want || tables < 5 {
		t.Errorf("%d sortable tables for %d Markdown tables", tables, want)
	}
	for _, want := range []string{"Summary figure", "R² against y = x", "oracle least-squares baseline", "<code>-1.01*u + 0.98*tanh(u)</code>", `id="ngs-status"`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
}

// chromium finds Debian's headless browser.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatalf("no chromium on PATH: the report.html browser test needs it (Debian: apt-get update && apt-get install -y chromium; .ci/run installs it)")
	return ""
}

// browse loads a page in headless chromium, dumping the DOM after the load
// event and taking a screenshot, and returns the DOM, the screenshot and the
// browser's console messages (chromium logs each as a ":CONSOLE" line).
func browse(t *testing.T, page string) (dom string, shot []byte, console []string) {
	t.Helper()
	bin := chromium(t)
	work := t.TempDir()
	run := func(extra ...string) (string, string) {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
			"--disable-extensions", "--disable-dev-shm-usage", "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
			"--user-data-dir=" + filepath.Join(work, "profile"), "--virtual-time-budget=3000"}
		args = append(append(args, extra...), "file://"+page)
		var out, errOut bytes.Buffer
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			t.Fatalf("chromium %v: %v\n%s", extra, err, errOut.String())
		}
		return out.String(), errOut.String()
	}
	shotFile := filepath.Join(work, "shot.png")
	dom, log := run("--dump-dom", "--screenshot="+shotFile, "--window-size=1400,2400")
	shot, err := os.ReadFile(shotFile)
	if err != nil {
		t.Fatalf("chromium wrote no screenshot: %v\n%s", err, log)
	}
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, ":CONSOLE") || strings.Contains(line, "Uncaught") {
			console = append(console, line)
		}
	}
	return dom, shot, console
}

// statusOf reads the page check's attributes from the dumped DOM.
func statusOf(t *testing.T, dom string) map[string]string {
	t.Helper()
	m := regexp.MustCompile(`<p id="ngs-status"([^>]*)>`).FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("the dumped DOM has no #ngs-status element:\n%.2000s", dom)
	}
	attrs := map[string]string{}
	for _, a := range regexp.MustCompile(`([a-z-]+)="([^"]*)"`).FindAllStringSubmatch(m[1], -1) {
		attrs[a[1]] = a[2]
	}
	return attrs
}

// The full report renders in a real headless browser: the page loads, the
// page check ran, every figure of report.md decoded and has a size, no
// script error and no console message occurred, and the screenshot shows
// coloured figures.
func TestReportHTMLRendersInChromium(t *testing.T) {
	dir, _ := closeFull(t)
	md, err := os.ReadFile(filepath.Join(dir, MarkdownFile))
	if err != nil {
		t.Fatal(err)
	}
	figures := strings.Count(string(md), "\n![")
	dom, shot, console := browse(t, filepath.Join(dir, HTMLFile))
	st := statusOf(t, dom)
	t.Logf("page check: %v", st)
	if st["data-state"] != "done" {
		t.Fatalf("the page check did not run (state %q): the load event never fired or a script failed", st["data-state"])
	}
	if st["data-images"] != strconv.Itoa(figures) || st["data-loaded"] != strconv.Itoa(figures) {
		t.Errorf("%s of %s images loaded, want all %d figures (missing: %s)", st["data-loaded"], st["data-images"], figures, st["data-missing"])
	}
	if st["data-errors"] != "0" {
		t.Errorf("%s errors on the page: %s", st["data-errors"], st["data-error-text"])
	}
	if len(console) > 0 {
		t.Errorf("console messages:\n%s", strings.Join(console, "\n"))
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if n := colourfulPixels(img); n < 5000 {
		t.Errorf("the screenshot shows only %d coloured pixels: figures not drawn", n)
	}
}

// The browser check is not vacuous: a page with a broken figure and a script
// error is caught.
func TestBrowserCheckCatchesErrors(t *testing.T) {
	dir := t.TempDir()
	md := "# Broken\n\n![a figure](a.png)\n\n![missing figure](b.png)\n"
	page := htmlReport("broken", []byte(md), map[string][]byte{"a.png": []byte("not a png")})
	page = bytes.Replace(page, []byte("</main>"), []byte("<script>undefinedFunction();</script></main>"), 1)
	file := filepath.Join(dir, "broken.html")
	if err := os.WriteFile(file, page, 0o644); err != nil {
		t.Fatal(err)
	}
	dom, _, console := browse(t, file)
	st := statusOf(t, dom)
	errs, _ := strconv.Atoi(st["data-errors"])
	if st["data-state"] != "done" || st["data-loaded"] != "0" || errs < 3 {
		t.Errorf("broken page: %v, want state done, 0 loaded and at least 3 errors (bad image, missing figure, script error)", st)
	}
	if len(console) == 0 {
		t.Errorf("the script error reached no console line")
	}
}
