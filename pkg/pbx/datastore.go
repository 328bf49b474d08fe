package pbx

// Datastores are what Asterisk calls channel datastores: state a module
// keeps on a channel (its groups, its shared variables, its timeouts)
// that lives and dies with the channel and is no channel variable. The
// key is the module's own unexported type, so modules cannot collide.

// Datastore returns what SetDatastore stored under key, or nil.
func (c *Channel) Datastore(key any) any {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.stores[key]
}

// SetDatastore stores v under key; a nil v removes it.
func (c *Channel) SetDatastore(key, v any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v == nil {
		delete(c.stores, key)
		return
	}
	if c.stores == nil {
		c.stores = map[any]any{}
	}
	c.stores[key] = v
}

// UpdateDatastore runs f on the value under key with the channel locked
// and stores what f returns (nil removes it), so a read-modify-write of
// a module's state is atomic. f must not call back into the channel.
func (c *Channel) UpdateDatastore(key any, f func(old any) any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v := f(c.stores[key])
	if v == nil {
		delete(c.stores, key)
		return
	}
	if c.stores == nil {
		c.stores = map[any]any{}
	}
	c.stores[key] = v
}

// SaveInFrame records the current value of a channel variable in the
// innermost Gosub frame, so that Return restores it (LOCAL()). It reports
// false when no Gosub is running. A variable saved already in that frame
// keeps its first saved value.
func (c *Channel) SaveInFrame(name string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.stack) == 0 {
		return false
	}
	f := &c.stack[len(c.stack)-1]
	if f.Saved == nil {
		f.Saved = map[string]*string{}
	}
	if _, done := f.Saved[name]; done {
		return true
	}
	if v, ok := c.vars.get(name); ok {
		f.Saved[name] = &v
	} else {
		f.Saved[name] = nil
	}
	return true
}

// FrameHas reports whether the innermost Gosub frame saved variable
// name (it is an ARGn or was set with LOCAL()).
func (c *Channel) FrameHas(name string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if len(c.stack) == 0 {
		return false
	}
	_, ok := c.stack[len(c.stack)-1].Saved[name]
	return ok
}

// FrameVar returns the n-th value of variable name counting from the
// current one (0) through the values Gosub frames shadowed, innermost
// first, as LOCAL_PEEK reads Asterisk's pushed variables.
func (c *Channel) FrameVar(n int, name string) (string, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	cur, ok := c.vars.get(name)
	if !ok {
		return "", false
	}
	for i := len(c.stack) - 1; i >= 0 && n > 0; i-- {
		p, saved := c.stack[i].Saved[name]
		if !saved {
			continue
		}
		if p == nil {
			return "", false // the variable did not exist before that frame
		}
		cur = *p
		n--
	}
	if n > 0 {
		return "", false
	}
	return cur, true
}
