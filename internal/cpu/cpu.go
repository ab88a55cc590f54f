// Package cpu chooses, once at start-up, the tier of kernels that ops/vec
// and ops/nn run: on amd64 AVX-512, then AVX2 with FMA, then generic; on
// arm64 NEON, then generic. Detection uses golang.org/x/sys/cpu (which also
// checks that the OS saves the vector registers).
//
// The environment variable NGS_CPU (generic, avx2, avx512, neon) forces a
// lower tier than the best one, for tests and benchmarks. A value that is
// not a tier of this architecture, or that names a tier this CPU lacks, is
// ignored and reported by EnvError. Built with the purego tag (or on other
// architectures) only the generic tier exists and no assembly is compiled.
package cpu

import (
	"fmt"
	"os"
	"strings"
)

// Tier is a level of kernels. Tiers of one architecture are ordered: a
// larger tier needs more of the CPU.
type Tier int

// The tiers. AVX2 and AVX512 are amd64's, NEON is arm64's; Generic runs
// everywhere: SSE2 assembly for the product and ReLU on amd64 (every amd64
// CPU has SSE2), Go code elsewhere, and gonum's kernels where ngs has none.
const (
	Generic Tier = iota
	NEON
	AVX2
	AVX512
)

// Env is the name of the environment variable that forces a lower tier.
const Env = "NGS_CPU"

var tierNames = [...]string{Generic: "generic", NEON: "neon", AVX2: "avx2", AVX512: "avx512"}

// String returns the tier's name as NGS_CPU spells it.
func (t Tier) String() string {
	if t >= 0 && int(t) < len(tierNames) {
		return tierNames[t]
	}
	return fmt.Sprintf("Tier(%d)", int(t))
}

// supported lists the tiers this CPU runs, Generic first (set by detect in
// the architecture's file).
var supported = detect()

var selected, envErr = choose(os.Getenv(Env), supported)

// choose returns the tier NGS_CPU asks for when the CPU runs it, and the
// best supported tier otherwise (with an error when the value was set).
func choose(env string, supported []Tier) (Tier, error) {
	best := supported[len(supported)-1]
	env = strings.ToLower(strings.TrimSpace(env))
	if env == "" {
		return best, nil
	}
	var names []string
	for _, t := range supported {
		if t.String() == env {
			return t, nil
		}
		names = append(names, t.String())
	}
	return best, fmt.Errorf("%s=%q is not a tier this CPU runs (%s); using %s", Env, env, strings.Join(names, ", "), best)
}

// Selected returns the tier the kernels use: the best one this CPU runs,
// or the one NGS_CPU names. It is fixed for the life of the process.
func Selected() Tier { return selected }

// Best returns the best tier this CPU (and this build) runs.
func Best() Tier { return supported[len(supported)-1] }

// Supported returns the tiers this CPU runs, from Generic up to Best.
func Supported() []Tier { return append([]Tier(nil), supported...) }

// EnvError returns why NGS_CPU was ignored, or nil when it was unset or
// honoured.
func EnvError() error { return envErr }
