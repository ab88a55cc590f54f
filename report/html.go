package report

import (
	"bytes"
	"encoding/base64"
	"html"
	"path"
	"regexp"
	"strings"
)

// HTMLFile is the name of the self-contained HTML report Close writes
// beside report.md.
const HTMLFile = "report.html"

// htmlReport renders report.md as one self-contained HTML page: every figure
// inline as a data URI (the SVG version of a figure when there is one),
// every table sortable by clicking a column header, and a page check that
// writes into the element #ngs-status whether every figure loaded and
// whether any script error occurred (data-state, data-images,
// data-loaded, data-errors), which a headless browser can read back.
func htmlReport(title string, md []byte, files map[string][]byte) []byte {
	var b bytes.Buffer
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	b.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	b.WriteString("<title>" + html.EscapeString(title) + "</title>\n")
	b.WriteString("<style>\n" + htmlStyle + "</style>\n")
	b.WriteString("<script>\n" + htmlCheckScript + "</script>\n")
	b.WriteString("</head>\n<body>\n<main>\n")
	markdownToHTML(&b, string(md), files)
	b.WriteString("</main>\n<footer><p id=\"ngs-status\" data-state=\"loading\">Checking the page…</p></footer>\n")
	b.WriteString("<script>\n" + htmlSortScript + "</script>\n")
	b.WriteString("</body>\n</html>\n")
	return b.Bytes()
}

var imageLine = regexp.MustCompile(`^!\[(.*)\]\(([^()]+)\)$`)

// markdownToHTML converts the Markdown subset report.md uses: headings,
// pipe tables, images on their own line, paragraphs with inline code,
// emphasis and backslash escapes.
func markdownToHTML(b *bytes.Buffer, md string, files map[string][]byte) {
	lines := strings.Split(md, "\n")
	var para []string
	flush := func() {
		if len(para) > 0 {
			b.WriteString("<p>" + inlineHTML(strings.Join(para, " ")) + "</p>\n")
			para = nil
		}
	}
	for i := 0; i < len(lines); i++ {
		line := strings.TrimRight(lines[i], " ")
		switch {
		case line == "":
			flush()
		case strings.HasPrefix(line, "#"):
			flush()
			level := len(line) - len(strings.TrimLeft(line, "#"))
			text := strings.TrimSpace(line[level:])
			level = min(level, 6)
			id := slug(text)
			b.WriteString("<h" + string(rune('0'+level)) + " id=\"" + id + "\">" + inlineHTML(text) + "</h" + string(rune('0'+level)) + ">\n")
		case strings.HasPrefix(line, "|"):
			flush()
			var rows []string
			for ; i < len(lines) && strings.HasPrefix(lines[i], "|"); i++ {
				rows = append(rows, strings.TrimRight(lines[i], " "))
			}
			i--
			writeHTMLTable(b, rows)
		case imageLine.MatchString(line):
			flush()
			m := imageLine.FindStringSubmatch(line)
			writeHTMLFigure(b, unescapeMarkdown(m[1]), m[2], files)
		default:
			para = append(para, line)
		}
	}
	flush()
}

// writeHTMLFigure writes one figure inline. An image whose SVG twin exists
// (summary.png and summary.svg) is drawn from the SVG, which stays sharp
// when zoomed.
func writeHTMLFigure(b *bytes.Buffer, caption, file string, files map[string][]byte) {
	mime, data := "image/png", files[file]
	if svg, ok := files[strings.TrimSuffix(file, path.Ext(file))+".svg"]; ok {
		mime, data = "image/svg+xml", svg
	} else if path.Ext(file) == ".svg" {
		mime = "image/svg+xml"
	}
	b.WriteString("<figure>")
	if data == nil {
		b.WriteString("<p class=\"missing\">Figure " + html.EscapeString(file) + " is missing.</p>")
	} else {
		b.WriteString("<img src=\"data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(data) + "\" alt=\"" + html.EscapeString(caption) + "\" data-file=\"" + html.EscapeString(file) + "\">")
	}
	b.WriteString("</figure>\n")
}

// writeHTMLTable converts pipe-table lines (header, separator, rows) into a
// sortable table.
func writeHTMLTable(b *bytes.Buffer, rows []string) {
	if len(rows) < 2 {
		for _, r := range rows {
			b.WriteString("<p>" + inlineHTML(r) + "</p>\n")
		}
		return
	}
	b.WriteString("<div class=\"table\"><table class=\"sortable\">\n<thead><tr>")
	for _, c := range splitRow(rows[0]) {
		b.WriteString("<th title=\"click to sort\">" + inlineHTML(c) + "</th>")
	}
	b.WriteString("</tr></thead>\n<tbody>\n")
	for _, r := range rows[2:] {
		b.WriteString("<tr>")
		for _, c := range splitRow(r) {
			b.WriteString("<td>" + inlineHTML(c) + "</td>")
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody></table></div>\n")
}

// splitRow splits a pipe-table line on its unescaped pipes.
func splitRow(line string) []string {
	line = strings.TrimSpace(line)
	line = strings.TrimPrefix(line, "|")
	if strings.HasSuffix(line, "|") && !strings.HasSuffix(line, "\\|") {
		line = line[:len(line)-1]
	}
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(line); i++ {
		switch {
		case line[i] == '\\' && i+1 < len(line) && line[i+1] == '|':
			cur.WriteString("\\|")
			i++
		case line[i] == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(line[i])
		}
	}
	return append(cells, strings.TrimSpace(cur.String()))
}

// inlineHTML converts inline Markdown: `code` spans (with \| for a pipe),
// *emphasis*, and backslash escapes; everything else is escaped text.
func inlineHTML(s string) string {
	var b strings.Builder
	em := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && strings.IndexByte("\\`*_|[]()#!-", s[i+1]) >= 0:
			b.WriteString(html.EscapeString(s[i+1 : i+2]))
			i++
		case c == '`':
			end := strings.IndexByte(s[i+1:], '`')
			if end < 0 {
				b.WriteString("`")
				continue
			}
			content := strings.ReplaceAll(s[i+1:i+1+end], "\\|", "|")
			b.WriteString("<code>" + html.EscapeString(content) + "</code>")
			i += end + 1
		case c == '*':
			if em {
				b.WriteString("</em>")
			} else {
				b.WriteString("<em>")
			}
			em = !em
		default:
			b.WriteString(html.EscapeString(s[i : i+1]))
		}
	}
	if em {
		b.WriteString("</em>")
	}
	return b.String()
}

// unescapeMarkdown removes backslash escapes from plain text.
func unescapeMarkdown(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// slug makes an HTML id from a heading.
func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

const htmlStyle = `body { font-family: system-ui, sans-serif; margin: 0; color: #222; background: #fff; }
main { max-width: 1500px; margin: 0 auto; padding: 1em 2em; }
h1 { font-size: 1.6em; } h2 { font-size: 1.3em; border-bottom: 1px solid #ddd; padding-bottom: .2em; margin-top: 2em; }
figure { margin: 1em 0; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
.table { overflow-x: auto; margin: .8em 0; }
table { border-collapse: collapse; font-size: .92em; }
th, td { border: 1px solid #ccc; padding: .25em .6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; cursor: pointer; user-select: none; white-space: nowrap; }
th[aria-sort=ascending]::after { content: " ▲"; } th[aria-sort=descending]::after { content: " ▼"; }
tbody tr:nth-child(even) { background: #fafafa; }
code { font-family: ui-monospace, monospace; font-size: .95em; background: #f5f5f5; padding: 0 .2em; }
em { color: #444; }
.missing { color: #b00; }
footer { max-width: 1500px; margin: 0 auto; padding: 0 2em 2em; color: #777; font-size: .85em; }
`

// htmlCheckScript runs first: it records script errors and failed loads,
// then, once the page has loaded, counts the figures that rendered and
// writes the result into #ngs-status.
const htmlCheckScript = `(function () {
  var errors = [];
  window.addEventListener("error", function (e) {
    var t = e.target;
    if (t && t !== window && t.tagName) { errors.push("failed to load " + t.tagName.toLowerCase() + " " + (t.getAttribute("data-file") || "")); }
    else { errors.push(String(e.message || "script error")); }
  }, true);
  window.addEventListener("unhandledrejection", function (e) { errors.push("unhandled rejection: " + String(e.reason)); });
  var consoleError = console.error;
  console.error = function () { errors.push(Array.prototype.join.call(arguments, " ")); return consoleError.apply(console, arguments); };
  window.addEventListener("load", function () {
    var imgs = document.images, loaded = 0, missing = [];
    for (var i = 0; i < imgs.length; i++) {
      if (imgs[i].complete && imgs[i].naturalWidth > 0 && imgs[i].naturalHeight > 0) { loaded++; } else { missing.push(imgs[i].getAttribute("data-file")); }
    }
    var missingText = document.querySelectorAll(".missing").length;
    var s = document.getElementById("ngs-status");
    s.setAttribute("data-images", String(imgs.length));
    s.setAttribute("data-loaded", String(loaded));
    s.setAttribute("data-missing", missing.join(" "));
    s.setAttribute("data-errors", String(errors.length + missingText));
    s.setAttribute("data-error-text", errors.join(" | "));
    s.setAttribute("data-state", "done");
    s.textContent = "Page check: " + loaded + " of " + imgs.length + " figures shown" +
      (missingText ? ", " + missingText + " missing" : "") + ", " + errors.length + " script errors.";
  });
})();
`

// htmlSortScript makes every table.sortable sortable by clicking a header:
// numbers sort numerically, other text alphabetically; a second click
// reverses the order.
const htmlSortScript = `(function () {
  function key(cell) {
    var t = cell.textContent.trim();
    var n = parseFloat(t.replace(/\u2212/g, "-"));
    return isNaN(n) || !/^[-\u2212+]?[0-9.]/.test(t) ? { n: null, t: t.toLowerCase() } : { n: n, t: t };
  }
  function compare(a, b) {
    if (a.n !== null && b.n !== null) { return a.n - b.n; }
    if (a.n !== null) { return -1; }
    if (b.n !== null) { return 1; }
    return a.t < b.t ? -1 : a.t > b.t ? 1 : 0;
  }
  var tables = document.querySelectorAll("table.sortable");
  Array.prototype.forEach.call(tables, function (table) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, col) {
      th.addEventListener("click", function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) {
          var c = compare(key(r1.cells[col] || r1.cells[0]), key(r2.cells[col] || r2.cells[0]));
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
})();
`
