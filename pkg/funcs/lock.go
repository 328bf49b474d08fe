package funcs

import (
	"sync"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is func_lock.c: named dialplan mutexes. LOCK waits up to
// three seconds, TRYLOCK not at all; a channel may take a lock it holds
// again (UNLOCK as many times to free it); a channel's locks are freed
// when it hangs up.

const lockWait = 3 * time.Second // func_lock.c's timed wait

// dialLock is one named lock: its owner and how many times it holds it;
// freed is closed and replaced whenever the lock becomes free.
type dialLock struct {
	owner *pbx.Channel
	count int
	freed chan struct{}
}

// lockTable is an engine's named locks.
type lockTable struct {
	mu    sync.Mutex
	locks map[string]*dialLock
	// held lists each channel's lock names; a channel appears here (and
	// has its hang-up watcher) from its first lock on.
	held map[*pbx.Channel]map[string]bool
}

func lockFuncs() []pbx.Function {
	t := &lockTable{locks: map[string]*dialLock{}, held: map[*pbx.Channel]map[string]bool{}}
	read := func(try bool) func(ch *pbx.Channel, s string) (string, error) {
		return func(ch *pbx.Channel, s string) (string, error) {
			if ch == nil {
				return "", nil
			}
			return boolStr(t.lock(ch, s, try)), nil
		}
	}
	return []pbx.Function{
		{Name: "LOCK", Synopsis: "Attempt to obtain a named mutex.", Syntax: "LOCK(lockname)",
			Description: "Attempts to grab a named lock exclusively, and prevents other channels from obtaining the same lock. LOCK will wait for the lock to become available. Returns 1 if the lock was obtained or 0 on error. To avoid the possibility of a deadlock, LOCK will only attempt to obtain the lock for 3 seconds if the channel already has another lock.",
			Read:        read(false)},
		{Name: "TRYLOCK", Synopsis: "Attempt to obtain a named mutex.", Syntax: "TRYLOCK(lockname)",
			Description: "Attempts to grab a named lock exclusively, and prevents other channels from obtaining the same lock. Returns 1 if the lock was available or 0 otherwise.",
			Read:        read(true)},
		{Name: "UNLOCK", Synopsis: "Unlocks a named mutex.", Syntax: "UNLOCK(lockname)",
			Description: "Unlocks a previously locked mutex. Returns 1 if the channel had a lock or 0 otherwise. It is generally unnecessary to unlock in a hangup routine, as any locks held are automatically freed when the channel is destroyed.",
			Read: func(ch *pbx.Channel, s string) (string, error) {
				if ch == nil {
					return "", nil
				}
				return t.unlock(ch, s), nil
			}},
	}
}

// lock takes name for ch, waiting up to lockWait unless try.
func (t *lockTable) lock(ch *pbx.Channel, name string, try bool) bool {
	deadline := time.Now().Add(lockWait)
	t.mu.Lock()
	if _, ok := t.held[ch]; !ok {
		select {
		case <-ch.Done():
			t.mu.Unlock()
			return false
		default:
		}
		t.held[ch] = map[string]bool{}
		go t.releaseAtHangup(ch)
	}
	l := t.locks[name]
	if l == nil {
		l = &dialLock{freed: make(chan struct{})}
		t.locks[name] = l
	}
	for {
		switch l.owner {
		case nil:
			l.owner, l.count = ch, 1
			t.held[ch][name] = true
			t.mu.Unlock()
			return true
		case ch:
			l.count++
			t.mu.Unlock()
			return true
		}
		if try {
			t.mu.Unlock()
			return false
		}
		freed := l.freed
		t.mu.Unlock()
		wait := time.Until(deadline)
		if wait <= 0 {
			return false
		}
		timer := time.NewTimer(wait)
		select {
		case <-freed:
			timer.Stop()
		case <-timer.C:
			return false
		case <-ch.Done():
			timer.Stop()
			return false
		}
		t.mu.Lock()
	}
}

// unlock gives back one hold of name; "1" when ch held it.
func (t *lockTable) unlock(ch *pbx.Channel, name string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.held[ch]; !ok {
		ch.Engine().Log().Warning("No datastore for dialplan locks.  Nothing was ever locked!\n")
		return "0"
	}
	l := t.locks[name]
	if l == nil || l.owner != ch {
		return "0"
	}
	if l.count--; l.count == 0 {
		t.free(l)
		delete(t.held[ch], name)
	}
	return "1"
}

// free releases l and wakes its waiters; t.mu is held.
func (t *lockTable) free(l *dialLock) {
	l.owner = nil
	close(l.freed)
	l.freed = make(chan struct{})
}

// releaseAtHangup frees every lock ch holds once it hangs up, as
// func_lock.c's datastore destructor does. It runs from ch's first lock
// and ends with the channel.
func (t *lockTable) releaseAtHangup(ch *pbx.Channel) {
	<-ch.Done()
	t.mu.Lock()
	defer t.mu.Unlock()
	for name := range t.held[ch] {
		if l := t.locks[name]; l != nil && l.owner == ch {
			l.count = 0
			t.free(l)
		}
	}
	delete(t.held, ch)
}
