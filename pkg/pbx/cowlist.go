package pbx

import (
	"sync"
	"sync/atomic"
)

// cowList is a list read on every frame without a lock and changed
// rarely, under one, by copying: a channel's taps and whispers.
type cowList[T comparable] struct {
	mu   sync.Mutex
	list atomic.Pointer[[]T]
}

// load is the current list, nil when empty.
func (l *cowList[T]) load() []T {
	if p := l.list.Load(); p != nil {
		return *p
	}
	return nil
}

func (l *cowList[T]) add(v T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	next := append(append([]T(nil), l.load()...), v)
	l.list.Store(&next)
}

// remove drops v; the list is nil again once empty.
func (l *cowList[T]) remove(v T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var keep []T
	for _, o := range l.load() {
		if o != v {
			keep = append(keep, o)
		}
	}
	if len(keep) == 0 {
		l.list.Store(nil)
	} else {
		l.list.Store(&keep)
	}
}
