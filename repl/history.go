package repl

import (
	"os"
	"path/filepath"
)

// HistoryEnv is the environment variable that overrides the history file;
// set it to the empty string to keep no history.
const HistoryEnv = "NGS_HISTORY"

// DefaultHistoryFile returns where the REPL keeps its history: $NGS_HISTORY
// when set (empty meaning none), else ngs/history under the user's
// configuration directory, else .ngs_history in the home directory, else
// "" (no history).
func DefaultHistoryFile() string {
	if p, ok := os.LookupEnv(HistoryEnv); ok {
		return p
	}
	if dir, err := os.UserConfigDir(); err == nil {
		return filepath.Join(dir, "ngs", "history")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".ngs_history")
	}
	return ""
}

// prepareHistory makes the history file's directory; it returns "" (no
// history) when that fails, so that a read-only home does not stop the
// REPL.
func prepareHistory(path string) string {
	if path == "" {
		return ""
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return ""
	}
	return path
}
