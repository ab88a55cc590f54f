package importer

import (
	"fmt"
	"math"
	"strconv"

	"gopkg.in/yaml.v3"
)

// FieldError reports a YAML field whose value has the wrong type or an
// invalid value. It names the file, the line, the field's path, what was
// expected and what was found.
type FieldError struct {
	Source   string // the config's name, as given to Convert
	Line     int    // 1-based line of the offending value
	Path     string // dotted YAML path, e.g. "simulation.n_neurons"
	Expected string // e.g. "an integer"
	Found    string // e.g. `string "abc"`
}

// Error formats the error as "SOURCE:LINE: PATH: expected X, found Y".
func (e *FieldError) Error() string {
	return fmt.Sprintf("%s:%d: %s: expected %s, found %s", e.Source, e.Line, e.Path, e.Expected, e.Found)
}

// section is one YAML mapping of the config with the keys read so far
// recorded, so that everything left unread can be reported as unmapped.
type section struct {
	source string
	path   string // dotted path of this mapping, "" at the root
	line   int
	order  []string
	keys   map[string]*yaml.Node
	values map[string]*yaml.Node
	used   map[string]bool
}

// newSection wraps a mapping node; a nil node gives an empty section.
func newSection(node *yaml.Node, source, path string) (*section, error) {
	s := &section{source: source, path: path, keys: map[string]*yaml.Node{},
		values: map[string]*yaml.Node{}, used: map[string]bool{}}
	if node == nil {
		return s, nil
	}
	s.line = node.Line
	if node.Kind != yaml.MappingNode {
		return nil, s.errorf(node, path, "a mapping of fields", describe(node))
	}
	for i := 0; i+1 < len(node.Content); i += 2 {
		key, value := node.Content[i], node.Content[i+1]
		if _, dup := s.values[key.Value]; !dup {
			s.order = append(s.order, key.Value)
		}
		s.keys[key.Value] = key
		s.values[key.Value] = value
	}
	return s, nil
}

// fieldPath returns the dotted path of a key of this section.
func (s *section) fieldPath(name string) string {
	if s.path == "" {
		return name
	}
	return s.path + "." + name
}

func (s *section) errorf(node *yaml.Node, path, expected, found string) error {
	return &FieldError{Source: s.source, Line: node.Line, Path: path, Expected: expected, Found: found}
}

// has reports whether the key is present.
func (s *section) has(name string) bool {
	_, ok := s.values[name]
	return ok
}

// lineOf returns the line of a key, 0 when absent.
func (s *section) lineOf(name string) int {
	if k, ok := s.keys[name]; ok {
		return k.Line
	}
	return 0
}

// take marks a key as read and returns its value node (nil when absent).
func (s *section) take(name string) *yaml.Node {
	s.used[name] = true
	return s.values[name]
}

// sub returns the named nested mapping (empty when absent).
func (s *section) sub(name string) (*section, error) {
	return newSection(s.take(name), s.source, s.fieldPath(name))
}

// float reads a number, or returns def when the key is absent.
func (s *section) float(name string, def float64) (float64, error) {
	node := s.take(name)
	if node == nil {
		return def, nil
	}
	return s.decodeFloat(node, s.fieldPath(name))
}

func (s *section) decodeFloat(node *yaml.Node, path string) (float64, error) {
	if node.Kind != yaml.ScalarNode || (node.Tag != "!!int" && node.Tag != "!!float") {
		return 0, s.errorf(node, path, "a number", describe(node))
	}
	v, err := strconv.ParseFloat(node.Value, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, s.errorf(node, path, "a finite number", describe(node))
	}
	return v, nil
}

// integer reads a whole number (1e5 and 100000.0 are accepted), or def.
func (s *section) integer(name string, def int) (int, error) {
	node := s.take(name)
	if node == nil {
		return def, nil
	}
	v, err := s.decodeFloat(node, s.fieldPath(name))
	if err != nil || v != math.Trunc(v) || math.Abs(v) > 1e15 {
		return 0, s.errorf(node, s.fieldPath(name), "an integer", describe(node))
	}
	return int(v), nil
}

// boolean reads true/false (YAML's True/False included), or def.
func (s *section) boolean(name string, def bool) (bool, error) {
	node := s.take(name)
	if node == nil {
		return def, nil
	}
	if node.Kind != yaml.ScalarNode || node.Tag != "!!bool" {
		return false, s.errorf(node, s.fieldPath(name), "true or false", describe(node))
	}
	var b bool
	if err := node.Decode(&b); err != nil {
		return false, s.errorf(node, s.fieldPath(name), "true or false", describe(node))
	}
	return b, nil
}

// text reads a string, or def. Plain scalars (none, tanh) count as strings;
// numbers and booleans do not.
func (s *section) text(name string, def string) (string, error) {
	node := s.take(name)
	if node == nil {
		return def, nil
	}
	if node.Kind != yaml.ScalarNode || (node.Tag != "!!str" && node.Tag != "!!null") {
		return "", s.errorf(node, s.fieldPath(name), "a string", describe(node))
	}
	return node.Value, nil
}

// matrix reads a list of rows of numbers; ok is false when the key is absent.
func (s *section) matrix(name string) (rows [][]float64, ok bool, err error) {
	node := s.take(name)
	if node == nil {
		return nil, false, nil
	}
	path := s.fieldPath(name)
	if node.Kind != yaml.SequenceNode {
		return nil, true, s.errorf(node, path, "a list of rows of numbers", describe(node))
	}
	for r, rowNode := range node.Content {
		rowPath := fmt.Sprintf("%s[%d]", path, r)
		if rowNode.Kind != yaml.SequenceNode {
			return nil, true, s.errorf(rowNode, rowPath, "a row of numbers", describe(rowNode))
		}
		row := make([]float64, len(rowNode.Content))
		for c, cell := range rowNode.Content {
			if row[c], err = s.decodeFloat(cell, fmt.Sprintf("%s[%d]", rowPath, c)); err != nil {
				return nil, true, err
			}
		}
		rows = append(rows, row)
	}
	return rows, true, nil
}

// leftover returns the keys never read, in source order.
func (s *section) leftover() []string {
	var out []string
	for _, k := range s.order {
		if !s.used[k] {
			out = append(out, k)
		}
	}
	return out
}

// describe says what a node holds, for error messages.
func describe(node *yaml.Node) string {
	switch node.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return fmt.Sprintf("a list of %d items", len(node.Content))
	case yaml.AliasNode:
		return "an alias"
	}
	switch node.Tag {
	case "!!str":
		return "string " + strconv.Quote(node.Value)
	case "!!bool":
		return "boolean " + node.Value
	case "!!null":
		return "an empty value"
	case "!!int", "!!float":
		return "number " + node.Value
	}
	return strconv.Quote(node.Value)
}
