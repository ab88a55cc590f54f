package runtime

// ResolveInput validates a path that a builtin reads (a movie, a wiring
// .npy): a relative path stays relative to the working directory, unlike
// ResolvePath, which places outputs under the output directory; the host's
// root restriction hook applies to both.
func (in *Interp) ResolveInput(path string) (string, error) {
	if err := in.fs.Check(path); err != nil {
		return "", err
	}
	if in.resolve != nil {
		return in.resolve(path)
	}
	return in.fs.Join(path), nil
}

// ResolveInput is Interp.ResolveInput with the error positioned at the call.
func (c *Call) ResolveInput(path string) (string, error) {
	p, err := c.Interp.ResolveInput(path)
	if err != nil {
		return "", c.Errorf("%v", err)
	}
	return p, nil
}
