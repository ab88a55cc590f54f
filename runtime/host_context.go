package runtime

import "context"

// SetContext replaces the interpreter's context. A REPL calls it before
// each entry so that an interrupt cancels that entry only; call it between
// runs, never while the interpreter is executing. A nil ctx means
// context.Background().
func (in *Interp) SetContext(ctx context.Context) {
	if ctx == nil {
		ctx = context.Background()
	}
	in.ctx = ctx
	in.done = ctx.Done()
}
