//go:build unix

package fsys

import "syscall"

// nonBlock makes opening a FIFO return at once instead of waiting for the
// other end; it has no effect on regular files.
const nonBlock = syscall.O_NONBLOCK
