package memory

import (
	"errors"
	"math"
	"runtime/debug"
	"strings"
	"testing"
)

func TestParseBytes(t *testing.T) {
	for _, c := range []struct {
		in   string
		want uint64
	}{{"16GB", 16e9}, {"12.5G", 12.5e9}, {"512MiB", 512 << 20}, {"2e10", 2e10}, {" 3 kb ", 3000}, {"1TiB", 1 << 40}, {"100", 100}} {
		got, err := ParseBytes(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "GB", "-5GB", "12 parsecs", "0", "1e400"} {
		if _, err := ParseBytes(bad); err == nil {
			t.Errorf("ParseBytes(%q) accepted", bad)
		}
	}
}

// NGS_MEMORY replaces the machine's available memory in every check that
// has no configured limit; a configured limit still wins; a malformed value
// is ignored and said so.
func TestEnvOverride(t *testing.T) {
	t.Setenv(EnvVar, "2MB")
	err := Check("a 3 MB array", 3e6, 0, "use less")
	var me *Error
	if !errors.As(err, &me) || me.Limit != 2e6 || !strings.Contains(err.Error(), "the 2.0 MB set by NGS_MEMORY") ||
		!strings.Contains(err.Error(), "about 3.0 MB") || !strings.Contains(err.Error(), "; use less") {
		t.Fatalf("3 MB under NGS_MEMORY=2MB: %v", err)
	}
	if err := Check("a 1 MB array", 1e6, 0, ""); err != nil {
		t.Fatalf("1 MB under NGS_MEMORY=2MB refused: %v", err)
	}
	if err := Check("a 3 MB array", 3e6, 4e6, ""); err != nil {
		t.Fatalf("a configured 4 MB limit should win over NGS_MEMORY: %v", err)
	}
	t.Setenv(EnvVar, "lots")
	lim, phrase := Limit(0)
	if !strings.Contains(phrase, "NGS_MEMORY ignored") || lim == 0 {
		t.Fatalf("malformed NGS_MEMORY: limit %d, %q", lim, phrase)
	}
}

// SetSoftLimit gives the runtime NGS_MEMORY (or the available memory) as
// its soft limit, and leaves an explicit GOMEMLIMIT alone.
func TestSetSoftLimit(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	t.Setenv("GOMEMLIMIT", "")
	t.Setenv(EnvVar, "3GB")
	if got := SetSoftLimit(); got != 3e9 || debug.SetMemoryLimit(-1) != 3e9 {
		t.Fatalf("SetSoftLimit under NGS_MEMORY=3GB: %d, runtime limit %d", got, debug.SetMemoryLimit(-1))
	}
	debug.SetMemoryLimit(math.MaxInt64)
	t.Setenv("GOMEMLIMIT", "1GiB")
	if got := SetSoftLimit(); got != 0 || debug.SetMemoryLimit(-1) != math.MaxInt64 {
		t.Fatalf("GOMEMLIMIT set: SetSoftLimit %d changed the limit to %d", got, debug.SetMemoryLimit(-1))
	}
}
