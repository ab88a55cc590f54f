package importer

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// Usage is the one-line usage of `ngs import`.
const Usage = "usage: ngs import CONFIG.yaml [-o OUT.ngs]"

// Main runs `ngs import` with the arguments that follow "import". It writes
// the script to OUT.ngs (or to stdout without -o) and a warning per unmapped
// field to stderr. It returns the exit status: 0 success, 1 a config that
// cannot be converted or a file that cannot be read or written, 2 usage.
func Main(args []string, stdout, stderr io.Writer) int {
	configPath, outPath, help, err := parseArgs(args)
	if help {
		fmt.Fprintln(stdout, Usage)
		fmt.Fprintln(stdout, "Converts a config of the reference implementation (neural-gnn config/signal/*.yaml) into an .ngs script.")
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "ngs import: %v\n%s\n", err, Usage)
		return 2
	}
	src, err := os.ReadFile(configPath)
	if err != nil {
		fmt.Fprintf(stderr, "ngs import: %v\n", err)
		return 1
	}
	script, unmapped, err := Convert(src, configPath)
	if err != nil {
		fmt.Fprintf(stderr, "ngs import: %v\n", err)
		return 1
	}
	for _, line := range Summarize(unmapped) {
		fmt.Fprintf(stderr, "%s: not mapped: %s\n", configPath, line)
	}
	if outPath == "" {
		_, err = io.WriteString(stdout, script)
	} else {
		err = os.WriteFile(outPath, []byte(script), 0o644)
	}
	if err != nil {
		fmt.Fprintf(stderr, "ngs import: %v\n", err)
		return 1
	}
	if outPath != "" {
		fmt.Fprintf(stderr, "wrote %s (%d fields not mapped exactly, listed at its top)\n", outPath, len(unmapped))
	}
	return 0
}

// parseArgs accepts the config path and -o OUT (or -o=OUT, --o) in any order.
func parseArgs(args []string) (configPath, outPath string, help bool, err error) {
	for i := 0; i < len(args); i++ {
		arg := args[i]
		name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		switch {
		case arg == "-h" || arg == "-help" || arg == "--help":
			return "", "", true, nil
		case strings.HasPrefix(arg, "-") && name == "o":
			if !hasValue {
				if i+1 >= len(args) {
					return "", "", false, fmt.Errorf("-o needs a file name")
				}
				i++
				value = args[i]
			}
			if outPath != "" {
				return "", "", false, fmt.Errorf("-o given twice")
			}
			outPath = value
		case strings.HasPrefix(arg, "-") && arg != "-":
			return "", "", false, fmt.Errorf("unknown flag %s", arg)
		case configPath != "":
			return "", "", false, fmt.Errorf("expected one config file, found a second: %s", arg)
		default:
			configPath = arg
		}
	}
	if configPath == "" {
		return "", "", false, fmt.Errorf("expected a config file")
	}
	return configPath, outPath, false, nil
}
