// Package memory checks, before a large allocation, that it can fit in the
// machine's memory, so that an impossible size ends in a clear error giving
// the estimate, the memory there is and what to change, instead of a fatal
// out-of-memory trace from the Go runtime or the kernel's OOM killer.
package memory

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// unknownLimit is the most a check allows when the machine's memory cannot
// be read (no /proc/meminfo): still enough to catch absurd sizes.
const unknownLimit = 1 << 40

// Machine returns the memory a process can use now (MemAvailable, lowered
// to a cgroup's limit when one is set), the machine's total and a phrase
// naming the source. ok is false when neither could be read.
func Machine() (avail, total uint64, source string, ok bool) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, 0, "", false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, found := strings.Cut(sc.Text(), ":")
		if !found {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			continue
		}
		v, err := strconv.ParseUint(fields[0], 10, 64)
		if err != nil {
			continue
		}
		if len(fields) > 1 && fields[1] == "kB" {
			v *= 1024
		}
		switch name {
		case "MemAvailable":
			avail = v
		case "MemTotal":
			total = v
		}
	}
	if total == 0 {
		return 0, 0, "", false
	}
	if avail == 0 {
		avail = total
	}
	source = "/proc/meminfo"
	if lim, ok := cgroupLimit(); ok && lim < avail {
		avail, source = lim, "the cgroup memory limit"
	}
	return avail, total, source, true
}

// cgroupLimit reads a cgroup v2 (or v1) memory limit, when one is set.
func cgroupLimit() (uint64, bool) {
	for _, p := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		s := strings.TrimSpace(string(b))
		if s == "max" {
			return 0, false
		}
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil || v >= 1<<60 {
			return 0, false
		}
		return v, true
	}
	return 0, false
}

// Error is a refused allocation.
type Error struct {
	// What names the allocation ("simulate: W (65536×65536 float32)").
	What string
	// Need is the estimate in bytes (+Inf beyond float64's integers).
	Need float64
	// Limit is the memory the check allowed, in bytes.
	Limit float64
	// Machine describes where Limit came from.
	Machine string
	// Hint says what to change.
	Hint string
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("%s would need about %s of memory, more than %s", e.What, Bytes(e.Need), e.Machine)
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

// Check returns an *Error when need bytes (a float64, so that an
// overflowing product stays representable) exceed limit, or, when limit is
// zero, the memory available on this machine.
func Check(what string, need float64, limit uint64, hint string) error {
	lim, machine := Limit(limit)
	if need <= float64(lim) && !math.IsNaN(need) {
		return nil
	}
	return &Error{What: what, Need: need, Limit: float64(lim), Machine: machine, Hint: hint}
}

// EnvVar names the environment variable that overrides the memory a check
// allows when no limit is configured: a byte count such as 64GB, 12.5G,
// 512MiB or 2e10. It lets a run go ahead on a machine whose available
// memory reads lower than what it will have (or, set low, tests a refusal).
const EnvVar = "NGS_MEMORY"

// ParseBytes reads a byte count: a number with an optional unit B, kB/K,
// MB/M, GB/G, TB/T (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024),
// case-insensitive.
func ParseBytes(s string) (uint64, error) {
	t := strings.TrimSpace(s)
	num := strings.TrimRightFunc(t, func(r rune) bool { return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') })
	unit := strings.ToLower(strings.TrimSpace(t[len(num):]))
	v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || !(v > 0) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a byte count > 0 (for example 16GB, 512MiB or 2e10)", s)
	}
	scale := map[string]float64{"": 1, "b": 1, "k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9, "t": 1e12, "tb": 1e12,
		"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40}
	f, ok := scale[unit]
	if !ok {
		return 0, fmt.Errorf("%q has an unknown unit %q (use B, kB, MB, GB, TB, KiB, MiB, GiB or TiB)", s, unit)
	}
	if v*f >= math.MaxUint64 {
		return 0, fmt.Errorf("%q is beyond any machine's memory", s)
	}
	return uint64(v * f), nil
}

// Limit returns the limit a Check with the given setting applies (0 means
// NGS_MEMORY when it is set, else this machine's available memory) and a
// phrase describing it. A malformed NGS_MEMORY is ignored with a note in
// the phrase.
func Limit(limit uint64) (uint64, string) {
	if limit > 0 {
		return limit, fmt.Sprintf("the configured memory limit of %s", Bytes(float64(limit)))
	}
	note := ""
	if env := os.Getenv(EnvVar); env != "" {
		v, err := ParseBytes(env)
		if err == nil {
			return v, fmt.Sprintf("the %s set by %s", Bytes(float64(v)), EnvVar)
		}
		note = fmt.Sprintf("; %s ignored: %v", EnvVar, err)
	}
	avail, total, source, ok := Machine()
	if !ok {
		return unknownLimit, fmt.Sprintf("%s (the machine's memory could not be read, so that is the ceiling)%s", Bytes(unknownLimit), note)
	}
	return avail, fmt.Sprintf("the %s available on this machine (%s in all, from %s; %s=BYTES overrides it)%s", Bytes(float64(avail)), Bytes(float64(total)), source, EnvVar, note)
}

// Bytes formats a byte count for people: "17.2 GB", "512 B".
func Bytes(n float64) string {
	if math.IsInf(n, 0) || n > 1e30 {
		return fmt.Sprintf("%.3g bytes", n)
	}
	units := []string{"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"}
	k := 0
	for n >= 1000 && k < len(units)-1 {
		n /= 1000
		k++
	}
	if k == 0 {
		return fmt.Sprintf("%.0f B", n)
	}
	return fmt.Sprintf("%.1f %s", n, units[k])
}

// SetSoftLimit sets the Go runtime's soft memory limit to the memory this
// process may use: NGS_MEMORY when set, else the memory available now. By
// default the garbage collector lets the heap grow to twice what is live,
// so that the N×N matrices each Ŵ solve allocates and drops could pile up
// to far more than the estimates checked before a run; with the limit the
// collector runs before the heap outgrows the machine. GOMEMLIMIT, when
// set, is left to the runtime. It returns the limit set, or 0.
func SetSoftLimit() uint64 {
	if os.Getenv("GOMEMLIMIT") != "" {
		return 0
	}
	lim, _ := Limit(0)
	if lim == 0 || lim >= unknownLimit || lim > math.MaxInt64 {
		return 0
	}
	debug.SetMemoryLimit(int64(lim))
	return lim
}
