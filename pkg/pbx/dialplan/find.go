package dialplan

import (
	"strings"
	"time"
)

// Asterisk's default matcher walks a context's extensions in their sorted
// order and takes the first one that matches (and has the wanted
// priority). A linear walk over thousands of patterns is too slow, so each
// context keeps an index that yields, for a dialled string, only the
// extensions that could match it, still in sorted order:
//
//   - plain names by their text without '-';
//   - patterns in a trie over their leading character sets. A pattern is
//     entered at every node its first elements can lead to, and stops at
//     the depth where its next element is '.', '!', the end, or a set that
//     would fan out too far; its position is recorded there. Every node
//     where one pattern stops is at the same depth, so walking the dialled
//     digits from the root meets each candidate at most once.
const (
	trieMaxDepth  = 16
	trieMaxFanout = 64
)

type trieNode struct {
	next map[byte]*trieNode
	ids  []int32 // positions in the context's sorted extensions, ascending
}

type index struct {
	literals map[string][]int32
	root     *trieNode
	// first holds the characters the trie branches on at its root and
	// rootAny tells whether some pattern stops at the root already (it
	// may match whatever the first character): together they rule a
	// context out for a dialled string with one bit test.
	first   charset
	rootAny bool
}

func buildIndex(exts []*extension) index {
	ix := index{literals: map[string][]int32{}, root: &trieNode{}}
	for i, e := range exts {
		if !strings.HasPrefix(e.exten, "_") {
			k := strings.ReplaceAll(e.exten, "-", "")
			ix.literals[k] = append(ix.literals[k], int32(i))
			continue
		}
		insertPattern(ix.root, e.exten[1:], 0, 1, 0, int32(i))
	}
	for c := range ix.root.next {
		ix.first.add(c)
	}
	ix.rootAny = len(ix.root.ids) > 0
	return ix
}

// mayMatch reports whether a pattern of the context could match key (the
// dialled string without '-'); literals are checked apart.
func (ix *index) mayMatch(key string) bool {
	return ix.rootAny || (key != "" && ix.first.has(key[0]))
}

// patternSet reads the element at p[i] the way matchExten does: the set it
// accepts, whether it ends the fixed part (end, '/', '.', '!'), whether it
// can never match (unterminated '['), and the next index.
func patternSet(p string, i int) (set charset, stop, never bool, next int) {
	for {
		for i < len(p) && p[i] == '-' {
			i++
		}
		if i >= len(p) || p[i] == '/' || p[i] == '.' || p[i] == '!' {
			return set, true, false, i
		}
		switch c := p[i]; c {
		case 'n', 'N':
			for ch := byte('2'); ch <= '9'; ch++ {
				set.add(ch)
			}
			return set, false, false, i + 1
		case 'x', 'X':
			for ch := byte('0'); ch <= '9'; ch++ {
				set.add(ch)
			}
			return set, false, false, i + 1
		case 'z', 'Z':
			for ch := byte('1'); ch <= '9'; ch++ {
				set.add(ch)
			}
			return set, false, false, i + 1
		case '[':
			i++
			end := strings.IndexByte(p[i:], ']')
			if end < 0 {
				return set, false, true, i
			}
			end += i
			if i == end {
				i++
				continue
			}
			for ; i < end; i++ {
				if i+2 < end && p[i+1] == '-' {
					for ch := int(p[i]); ch <= int(p[i+2]); ch++ {
						set.add(byte(ch))
					}
					i += 2
				} else {
					set.add(p[i])
				}
			}
			return set, false, false, end + 1
		default:
			set.add(c)
			return set, false, false, i + 1
		}
	}
}

func insertPattern(n *trieNode, p string, i, fanout, depth int, id int32) {
	set, stop, never, next := patternSet(p, i)
	if never {
		return // an unterminated '[' never matches a dialled string
	}
	size := 0
	if !stop {
		for _, b := range set {
			for ; b != 0; b &= b - 1 {
				size++
			}
		}
	}
	if stop || size == 0 || depth >= trieMaxDepth || fanout*size > trieMaxFanout {
		n.ids = append(n.ids, id)
		return
	}
	for c := 0; c < 256; c++ {
		if !set.has(byte(c)) {
			continue
		}
		if n.next == nil {
			n.next = map[byte]*trieNode{}
		}
		child := n.next[byte(c)]
		if child == nil {
			child = &trieNode{}
			n.next[byte(c)] = child
		}
		insertPattern(child, p, next, fanout*size, depth+1, id)
	}
}

// candidates calls try with every extension that may match data in
// modeMatch, in sorted order, until try returns true.
func (c *context) candidates(data string, try func(e *extension) bool) {
	if strings.IndexByte(data, '-') >= 0 {
		data = strings.ReplaceAll(data, "-", "")
	}
	for _, i := range c.idx.literals[data] {
		if try(c.exts[i]) {
			return
		}
	}
	var lists [trieMaxDepth + 2][]int32
	n, k := c.idx.root, 0
	for j := 0; n != nil; j++ {
		if len(n.ids) > 0 {
			lists[k] = n.ids
			k++
		}
		if j >= len(data) || n.next == nil {
			break
		}
		n = n.next[data[j]]
	}
	for {
		best := -1
		for l := 0; l < k; l++ {
			if len(lists[l]) > 0 && (best < 0 || lists[l][0] < lists[best][0]) {
				best = l
			}
		}
		if best < 0 {
			return
		}
		id := lists[best][0]
		lists[best] = lists[best][1:]
		if try(c.exts[id]) {
			return
		}
	}
}

func cidMatches(pattern, callerID string) bool {
	if callerID == "" {
		return pattern == ""
	}
	return matchExten(pattern, callerID, modeMatch) != 0
}

// query is one search through a context and its includes.
type query struct {
	mode     matchMode
	priority int
	label    string // findlabel when set
	visited  []string
	now      time.Time // read once per query, for timed includes
}

// own looks for exten among the context's own extensions. stop means a
// MatchMore search met an extension ending in '!': the context answers no
// and its includes are not searched.
func (c *context) own(q *query, exten, callerID string) (found *Priority, stop bool) {
	try := func(e *extension) bool {
		m := matchExten(e.exten, exten, q.mode)
		if m == 0 || (e.matchCID && !cidMatches(e.cid, callerID)) {
			return false
		}
		if m == 2 && q.mode == modeMatchMore {
			// An extension ending in '!' already matches: no more digits
			// are needed, and that settles this context.
			stop = true
			return true
		}
		if q.label != "" {
			found = e.labels[q.label]
		} else {
			found = e.priority(q.priority)
		}
		return found != nil
	}
	if q.mode == modeMatch && !strings.HasPrefix(exten, "_") {
		c.candidates(exten, try)
	} else {
		for _, e := range c.exts {
			if try(e) {
				break
			}
		}
	}
	if stop {
		return nil, true
	}
	return found, false
}

// search looks in one context then its includes, as pbx_find_extension
// does with the default matcher. Plain matches through trees without
// timed includes take the precomputed walk (matchTree) instead.
func (d *Dialplan) search(q *query, ctxName, exten, callerID string) *Priority {
	if q.mode == modeMatch {
		if c := d.byName[ctxName]; c != nil {
			if t := c.tree(d); t.static {
				return t.find(q, exten, callerID)
			}
		}
	}
	return d.searchWalk(q, ctxName, exten, callerID)
}

// searchWalk is the search itself: the context's own extensions, then its
// includes in order, depth first, each context visited once (names
// compared without case, as Asterisk does) and at most maxStack of them.
func (d *Dialplan) searchWalk(q *query, ctxName, exten, callerID string) *Priority {
	if len(q.visited) >= maxStack {
		return nil
	}
	for _, v := range q.visited {
		if strings.EqualFold(v, ctxName) {
			return nil
		}
	}
	c := d.byName[ctxName]
	if c == nil {
		return nil
	}
	found, stop := c.own(q, exten, callerID)
	if stop {
		return nil
	}
	if found != nil {
		return found
	}
	q.visited = append(q.visited, c.name)
	for i := range c.includes {
		inc := &c.includes[i]
		if inc.timing != nil {
			if q.now.IsZero() {
				q.now = d.now()
			}
			if !inc.valid(q.now) {
				continue
			}
		}
		if p := d.searchWalk(q, inc.Context, exten, callerID); p != nil {
			return p
		}
	}
	return nil
}

// matchTree is what a plain match (Find, Exists, FindLabel, Hint) through
// one context needs when no include below it is timed: the contexts in the
// order searchWalk would look into them when nothing matches on the way,
// and which of them can match a dialled string at all. A call's lookups,
// most of all the `h` extension that few contexts have, then cost a map
// lookup and one bit test per context instead of a walk with its visited
// list.
type matchTree struct {
	static bool // no timed include: the fields below are valid
	ctxs   []*context
	// lits maps each plain extension name (without '-') to the positions
	// in ctxs of the contexts having it, ascending.
	lits    map[string][]int32
	first   charset // union of the contexts' index.first
	rootAny bool    // some context has a pattern stopping at its trie root
}

// tree returns the context's matchTree, building it on first use: only
// contexts that calls actually start in pay for one. The dialplan never
// changes once built, so concurrent builders produce equal trees and
// whichever is stored first wins.
func (c *context) tree(d *Dialplan) *matchTree {
	if t := c.flat.Load(); t != nil {
		return t
	}
	t := d.buildTree(c)
	if !c.flat.CompareAndSwap(nil, t) {
		return c.flat.Load()
	}
	return t
}

func (d *Dialplan) buildTree(root *context) *matchTree {
	t := &matchTree{static: true}
	var visited []string
	var walk func(name string)
	walk = func(name string) {
		if !t.static || len(visited) >= maxStack {
			return
		}
		for _, v := range visited {
			if strings.EqualFold(v, name) {
				return
			}
		}
		c := d.byName[name]
		if c == nil {
			return
		}
		t.ctxs = append(t.ctxs, c)
		visited = append(visited, c.name)
		for i := range c.includes {
			if c.includes[i].timing != nil {
				t.static = false
				return
			}
			walk(c.includes[i].Context)
		}
	}
	walk(root.name)
	if !t.static {
		return &matchTree{}
	}
	t.lits = map[string][]int32{}
	for pos, c := range t.ctxs {
		for k := range c.idx.literals {
			t.lits[k] = append(t.lits[k], int32(pos))
		}
		for i := range t.first {
			t.first[i] |= c.idx.first[i]
		}
		t.rootAny = t.rootAny || c.idx.rootAny
	}
	return t
}

// find is searchWalk for a plain match over a static tree: contexts that
// have neither the name nor a pattern starting like it are skipped, and a
// string that nothing in the tree can match costs no walk at all.
func (t *matchTree) find(q *query, exten, callerID string) *Priority {
	if strings.HasPrefix(exten, "_") {
		// A pattern dialled as such is compared with every extension.
		for _, c := range t.ctxs {
			if p, _ := c.own(q, exten, callerID); p != nil {
				return p
			}
		}
		return nil
	}
	key := exten
	if strings.IndexByte(key, '-') >= 0 {
		key = strings.ReplaceAll(key, "-", "")
	}
	lits := t.lits[key]
	if len(lits) == 0 && !t.rootAny && (key == "" || !t.first.has(key[0])) {
		return nil
	}
	for pos, c := range t.ctxs {
		if len(lits) > 0 && lits[0] == int32(pos) {
			lits = lits[1:]
		} else if !c.idx.mayMatch(key) {
			continue
		}
		if p, _ := c.own(q, exten, callerID); p != nil {
			return p
		}
	}
	return nil
}

// Find returns the priority that runs for exten at priority in context,
// for a caller with that caller ID number (empty when unknown): the
// context's own extensions first (plain names, then patterns from the most
// specific, those with a matching caller ID pattern before those without),
// then its includes in order, depth first. A matching extension that lacks
// the priority does not stop the search, as in Asterisk.
func (d *Dialplan) Find(context, exten, callerID string, priority int) (*Priority, bool) {
	p := d.search(&query{mode: modeMatch, priority: priority}, context, exten, callerID)
	return p, p != nil
}

// FindLabel resolves a priority label ("Goto(ctx,100,start)") to its number.
func (d *Dialplan) FindLabel(context, exten, callerID, label string) (int, bool) {
	if label == "" {
		return 0, false
	}
	p := d.search(&query{mode: modeMatch, label: label}, context, exten, callerID)
	if p == nil {
		return 0, false
	}
	return p.Number, true
}

// Exists is Find reduced to a yes or no (ast_exists_extension).
func (d *Dialplan) Exists(context, exten, callerID string, priority int) bool {
	_, ok := d.Find(context, exten, callerID, priority)
	return ok
}

// CanMatch reports whether exten matches an extension having priority 1,
// now or after more digits (ast_canmatch_extension).
func (d *Dialplan) CanMatch(context, exten, callerID string) bool {
	return d.search(&query{mode: modeCanMatch, priority: 1}, context, exten, callerID) != nil
}

// MatchMore reports whether more digits could still select an extension
// having priority 1 (ast_matchmore_extension); an extension ending in '!'
// that already matches answers no.
func (d *Dialplan) MatchMore(context, exten, callerID string) bool {
	return d.search(&query{mode: modeMatchMore, priority: 1}, context, exten, callerID) != nil
}

// Hint returns the device list of the hint for exten (ast_get_hint): it
// follows includes and patterns like Find, for a call without caller ID.
func (d *Dialplan) Hint(context, exten string) (string, bool) {
	p, ok := d.Find(context, exten, "", PriorityHint)
	if !ok {
		return "", false
	}
	return p.App, true
}

// IgnorePattern reports whether one of the context's own ignorepat
// entries matches the digits (ast_ignore_pattern; includes are not
// followed).
func (d *Dialplan) IgnorePattern(context, digits string) bool {
	c := d.byName[context]
	if c == nil {
		return false
	}
	for _, p := range c.ignorepats {
		if matchExten(p, digits, modeMatch) != 0 {
			return true
		}
	}
	return false
}
