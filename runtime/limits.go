package runtime

import (
	"fmt"

	"github.com/ngs-lab/ngs/internal/fsys"
	"github.com/ngs-lab/ngs/internal/memory"
	"github.com/ngs-lab/ngs/lang"
)

// Default interpreter limits (see Limits).
const (
	// DefaultMaxList is the default bound on the elements of one list
	// (a list element costs 16 to 24 bytes: about 400 MB at the bound).
	DefaultMaxList = 1 << 24
	// DefaultMaxString is the default bound on the bytes of one string.
	DefaultMaxString = 1 << 28
)

// Limits bound what one run may build, so that a runaway script ends in a
// clear error instead of exhausting the machine's memory.
type Limits struct {
	// MaxList bounds the elements of one list; 0 means DefaultMaxList.
	MaxList int
	// MaxString bounds the bytes of one string; 0 means DefaultMaxString.
	MaxString int
	// Memory bounds, in bytes, what one large allocation of a builtin may
	// need by its estimate (a tensor, W, a recording, an MLP, a file read);
	// 0 means the memory available on this machine.
	Memory uint64
}

// withDefaults fills zero fields with the defaults.
func (l Limits) withDefaults() Limits {
	if l.MaxList <= 0 {
		l.MaxList = DefaultMaxList
	}
	if l.MaxString <= 0 {
		l.MaxString = DefaultMaxString
	}
	return l
}

// Limits returns the run's limits, defaults filled in.
func (in *Interp) Limits() Limits { return in.limits }

// CheckList returns an error when a list of n elements would exceed the
// run's MaxList.
func (in *Interp) CheckList(n int) error {
	if n > in.limits.MaxList || n < 0 {
		return fmt.Errorf("a list of %d elements exceeds the limit of %d elements (use a tensor for large numeric data; a host raises the limit with Limits.MaxList)", n, in.limits.MaxList)
	}
	return nil
}

// CheckString returns an error when a string of n bytes would exceed the
// run's MaxString.
func (in *Interp) CheckString(n int) error {
	if n > in.limits.MaxString || n < 0 {
		return fmt.Errorf("a string of %d bytes exceeds the limit of %d bytes (a host raises the limit with Limits.MaxString)", n, in.limits.MaxString)
	}
	return nil
}

// CheckMemory returns an error when an allocation estimated at need bytes
// (a float64, so that overflowing products stay representable) exceeds
// the run's Memory limit or, without one, the memory available on this
// machine. what names the allocation and hint says what to change; the
// message gives the estimate and the memory there is.
func (in *Interp) CheckMemory(what string, need float64, hint string) error {
	return memory.Check(what, need, in.limits.Memory, hint)
}

// CheckMemory is Interp.CheckMemory with the error positioned at the call.
func (c *Call) CheckMemory(what string, need float64, hint string) error {
	if err := c.Interp.CheckMemory(what, need, hint); err != nil {
		return c.Errorf("%v", err)
	}
	return nil
}

// FS is the file system builtins open files through: confined to the
// host's root (RunOptions.FS) or the whole file system (nil). It opens
// regular files only.
func (in *Interp) FS() *fsys.FS { return in.fs }

// FS is Interp.FS.
func (c *Call) FS() *fsys.FS { return c.Interp.fs }

// Cancelled returns the run's error when its context is done (for long
// loops inside builtins), positioned at the call.
func (c *Call) Cancelled() error {
	if err := c.Interp.ctx.Err(); err != nil {
		return cancelled(c.Pos, err)
	}
	return nil
}

// sizeError positions a limit error.
func sizeError(pos lang.Pos, err error) error { return lang.Errorf(pos, "%v", err) }
