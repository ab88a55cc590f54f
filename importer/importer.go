// Package importer converts experiment configs of the reference PyTorch
// implementation (github saalfeldlab/neural-gnn, config/signal/*.yaml) into
// equivalent .ngs scripts, listing every field it could not map.
package importer

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Unmapped is a config field that the script does not express, or expresses
// only approximately.
type Unmapped struct {
	Path   string // dotted YAML path, e.g. "training.coeff_update_diff"
	Line   int    // line of the field in the config, 0 if not present there
	Reason string // why it is not (exactly) mapped
}

// String formats the field as "PATH (line N): REASON".
func (u Unmapped) String() string {
	if u.Line == 0 {
		return u.Path + ": " + u.Reason
	}
	return fmt.Sprintf("%s (line %d): %s", u.Path, u.Line, u.Reason)
}

// Summarize formats unmapped fields one line per reason, in order of first
// appearance: "plotting.ylim, plotting.colormap (lines 40, 43): REASON".
func Summarize(unmapped []Unmapped) []string {
	var reasons []string
	groups := map[string][]Unmapped{}
	for _, u := range unmapped {
		if _, seen := groups[u.Reason]; !seen {
			reasons = append(reasons, u.Reason)
		}
		groups[u.Reason] = append(groups[u.Reason], u)
	}
	lines := make([]string, 0, len(reasons))
	for _, reason := range reasons {
		lines = append(lines, summarizeGroup(groups[reason])+": "+reason)
	}
	return lines
}

// summarizeGroup writes the paths and lines of fields sharing a reason:
// "plotting.{colormap, ylim} (lines 40-43)".
func summarizeGroup(group []Unmapped) string {
	var names []string
	prefix, first, last := "", 0, 0
	for i, u := range group {
		section, name, nested := strings.Cut(u.Path, ".")
		if !nested || (i > 0 && section != prefix) {
			prefix = ""
		} else if i == 0 {
			prefix = section
		}
		names = append(names, name)
		if u.Line > 0 && (first == 0 || u.Line < first) {
			first = u.Line
		}
		last = max(last, u.Line)
	}
	paths := make([]string, len(group))
	for i, u := range group {
		paths[i] = u.Path
	}
	text := strings.Join(paths, ", ")
	if prefix != "" && len(group) > 1 {
		text = prefix + ".{" + strings.Join(names, ", ") + "}"
	}
	switch {
	case first == 0:
		return text
	case first == last:
		return fmt.Sprintf("%s (line %d)", text, first)
	}
	return fmt.Sprintf("%s (lines %d-%d)", text, first, last)
}

// Convert turns a reference YAML config into an .ngs script. source names
// the config in messages and in the script's header. The fields it could
// not map are returned and also listed as comments at the top of the script.
// Malformed YAML, unknown model names and fields of the wrong type are
// errors that name the line and the field.
func Convert(yamlSource []byte, source string) (script string, unmapped []Unmapped, err error) {
	defer func() {
		if r := recover(); r != nil {
			script, unmapped = "", nil
			err = fmt.Errorf("%s: internal error in the importer (a bug, please report it): %v", source, r)
		}
	}()
	cfg, err := parse(yamlSource, source)
	if err != nil {
		return "", nil, err
	}
	return emit(cfg, source), cfg.notes.list, nil
}

// yamlLine finds the line number in yaml.v3's error messages.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// parse reads the YAML document into a config.
func parse(src []byte, source string) (*config, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		msg := err.Error()
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			return nil, fmt.Errorf("%s:%s: malformed YAML: %s", source, m[1], msg[len(m[0]):])
		}
		return nil, fmt.Errorf("%s: malformed YAML: %s", source, strings.TrimPrefix(msg, "yaml: "))
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s: empty config: expected the sections simulation, graph_model and training", source)
	}
	root, err := newSection(doc.Content[0], source, "")
	if err != nil {
		var fe *FieldError
		if errors.As(err, &fe) {
			fe.Path = "the document"
		}
		return nil, err
	}
	return readConfig(root)
}

// readConfig reads every section, then notes the fields left unread.
func readConfig(root *section) (*config, error) {
	cfg := &config{notes: &notes{}}
	var e errs
	cfg.description = e.text(root, "description", "")
	cfg.dataset = e.text(root, "dataset", "")
	if e.err != nil {
		return nil, e.err
	}
	sections := map[string]*section{}
	for _, name := range []string{"simulation", "graph_model", "training", "plotting"} {
		s, err := root.sub(name)
		if err != nil {
			return nil, err
		}
		sections[name] = s
	}
	if err := readSections(cfg, sections); err != nil {
		return nil, err
	}
	for _, name := range []string{"simulation", "graph_model", "training", "plotting"} {
		noteLeftovers(sections[name], cfg.notes)
	}
	noteLeftovers(root, cfg.notes)
	sort.SliceStable(cfg.notes.list, func(i, j int) bool { return cfg.notes.list[i].Line < cfg.notes.list[j].Line })
	return cfg, nil
}

// readSections reads simulation, graph_model and training and reconciles
// the fields that the reference spreads over several sections.
func readSections(cfg *config, sections map[string]*section) error {
	var err error
	if cfg.gm, err = readGraphModel(sections["graph_model"], cfg.notes); err != nil {
		return err
	}
	if cfg.sim, err = readSimulation(sections["simulation"], cfg.notes); err != nil {
		return err
	}
	if cfg.sim.params, err = readParams(sections["simulation"], cfg.gm.model, cfg.sim.types); err != nil {
		return err
	}
	if cfg.tr, err = readTraining(sections["training"], cfg.notes); err != nil {
		return err
	}
	if cfg.tr.noise.set && cfg.sim.noise == 0 {
		cfg.sim.noise = cfg.tr.noise.value
	}
	if cfg.tr.learnInput && !cfg.sim.movie {
		cfg.tr.learnInput = false
		cfg.notes.add(sections["training"], "learn_external_input", "there is no visual external input to learn")
	}
	if cfg.sim.movie && !cfg.tr.learnInput {
		cfg.notes.add(sections["simulation"], "external_input_type",
			"the model does not learn the input (learn_external_input is false): ngs's model then sees none")
	}
	return nil
}

// leftoverReasons explains fields that are read by nobody, by dotted path.
var leftoverReasons = map[string]string{
	"simulation.dpos_init":               "a particle field: no effect on signal experiments",
	"simulation.boundary":                "a particle field: no effect on signal experiments",
	"simulation.min_radius":              "a particle field: no effect on signal experiments",
	"simulation.max_radius":              "a particle field: no effect on signal experiments",
	"simulation.tau":                     "not used by the signal models: c (or a) is the decay rate",
	"training.n_runs":                    "ngs runs a script once; repeat runs with a for loop",
	"training.device":                    "ngs chooses its own device",
	"training.coeff_update_diff":         "ngs has no monotonicity penalty on phi*",
	"training.init_training_single_type": "ngs has no single-type warm-up; embeddings are learned from the start",
	"plotting.xlim":                      "the reference's grid of phi* for clustering; ngs's cluster() chooses its own",
	"claude":                             "the reference's agent settings: no effect on the experiment",
}

// noteLeftovers records every key of a section that no reader took.
func noteLeftovers(s *section, n *notes) {
	for _, key := range s.leftover() {
		reason, ok := leftoverReasons[s.fieldPath(key)]
		switch {
		case ok:
		case s.path == "plotting":
			reason = "plotting only: no effect on the experiment"
		case s.path == "":
			reason = "not a section ngs knows: not mapped"
		default:
			reason = "unknown to the importer: not mapped"
		}
		n.add(s, key, reason)
	}
}
