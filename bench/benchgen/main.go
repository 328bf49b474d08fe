// Command benchgen writes the generated configuration set that bench/run.sh
// starts gostrisk on: many SIP peers, a large dialplan, private relative
// directories, loopback ports that are free at the time of the call, and
// the sipp injection file of the peers that register.
//
//	go run ./bench/benchgen -dir /tmp/x -peers 10000 -lines 20000 -regpeers 1000
//
// It prints "sipport=<port>" for the script to use. With -freeport it only
// prints a free loopback port (for sipp's local port). With -wav FILE it
// only writes FILE, 10 s of G.711 mu-law audio (a 440 Hz tone) in a WAV
// container, for sipp's rtp_stream to play in the media benchmarks.
package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"math"
	"net"
	"os"
	"path/filepath"
)

func main() {
	dir := flag.String("dir", "", "directory to write the config set into (created)")
	peers := flag.Int("peers", 10000, "number of SIP peers in sip.conf")
	lines := flag.Int("lines", 20000, "number of exten/same lines in extensions.conf")
	regPeers := flag.Int("regpeers", 1000, "number of peers in the sipp injection file reg.csv")
	onlyPort := flag.Bool("freeport", false, "only print a loopback port free on UDP and TCP")
	wav := flag.String("wav", "", "only write this mu-law WAV file (10 s, 440 Hz) and exit")
	flag.Parse()
	if *wav != "" {
		if err := writeFile(*wav, func(w *bufio.Writer) { writeULawWAV(w, 10*8000) }); err != nil {
			fmt.Fprintf(os.Stderr, "benchgen: %v\n", err)
			os.Exit(1)
		}
		return
	}
	if *onlyPort {
		port, err := freePort()
		if err != nil {
			fmt.Fprintf(os.Stderr, "benchgen: %v\n", err)
			os.Exit(1)
		}
		fmt.Println(port)
		return
	}
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "benchgen: -dir is required")
		os.Exit(2)
	}
	port, err := generate(*dir, *peers, *lines, *regPeers)
	if err != nil {
		fmt.Fprintf(os.Stderr, "benchgen: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("sipport=%d\n", port)
}

// firstPeer is the name of the first generated peer; peers are numbered
// from it so their names are also dialable extensions.
const firstPeer = 100000

func generate(dir string, peers, lines, regPeers int) (int, error) {
	if regPeers > peers {
		return 0, fmt.Errorf("-regpeers %d exceeds -peers %d", regPeers, peers)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	sipPort, err := freePort()
	if err != nil {
		return 0, err
	}
	// RTP ports for 6,250 calls up at once (two legs of two ports each:
	// 600 calls/s held 10 s need 24,000), below the kernel's ephemeral
	// range so that no client socket takes one; the sipps' media ports
	// (run.sh: -mp 30000 and 31000) follow them.
	const rtpStart, rtpEnd = 5000, 29999
	files := map[string]func(w *bufio.Writer){
		"asterisk.conf": func(w *bufio.Writer) {
			w.WriteString("[directories]\nastetcdir => .\nastvarlibdir => var/lib\nastdbdir => var/lib\n" +
				"astdatadir => var/lib\nastspooldir => var/spool\nastrundir => var/run\nastlogdir => var/log\n" +
				"astcachedir => var/cache\n\n[options]\nverbose = 0\ndebug = 0\nnocolor = yes\n\n" +
				"[files]\nastctlpermissions = 0660\n")
		},
		"modules.conf": func(w *bufio.Writer) {
			w.WriteString("[modules]\nautoload=yes\nnoload = cdr_csv.so\n")
		},
		// A production-like logger: failures to messages, no full log.
		"logger.conf": func(w *bufio.Writer) {
			w.WriteString("[general]\n\n[logfiles]\nmessages => notice,warning,error,security\n")
		},
		"rtp.conf": func(w *bufio.Writer) {
			fmt.Fprintf(w, "[general]\nrtpstart=%d\nrtpend=%d\n", rtpStart, rtpEnd)
		},
		"users.conf": func(w *bufio.Writer) {
			w.WriteString("[general]\nhassip = no\n")
		},
		"sip.conf": func(w *bufio.Writer) {
			// TCP on the same port, for the TCP flood (bench/flood);
			// directmedia=no: the benchmarks measure the media relay.
			fmt.Fprintf(w, "[general]\ncontext=default\nbindaddr=127.0.0.1\nbindport=%d\ndirectmedia=no\n"+
				"tcpenable=yes\ntcpbindaddr=127.0.0.1:%d\n"+
				"allowguest=no\nalwaysauthreject=yes\ndisallow=all\nallow=alaw\nallow=ulaw\n"+
				"defaultexpiry=3600\nmaxexpiry=7200\n\n"+
				"[bench-phone](!)\ntype=friend\nhost=dynamic\ncontext=bench\ndisallow=all\nallow=ulaw\n\n", sipPort, sipPort)
			for i := 0; i < peers; i++ {
				n := firstPeer + i
				fmt.Fprintf(w, "[%d](bench-phone)\nsecret=pw%d\ncallerid=\"Phone %d\" <%d>\n\n", n, n, n, n)
			}
		},
		"extensions.conf": func(w *bufio.Writer) { writeDialplan(w, lines) },
	}
	for name, fill := range files {
		if err := writeFile(filepath.Join(dir, name), fill); err != nil {
			return 0, err
		}
	}
	err = writeFile(filepath.Join(dir, "reg.csv"), func(w *bufio.Writer) {
		w.WriteString("SEQUENTIAL\n")
		for i := 0; i < regPeers; i++ {
			n := firstPeer + i
			fmt.Fprintf(w, "%d;[authentication username=%d password=pw%d]\n", n, n, n)
		}
	})
	return sipPort, err
}

// writeDialplan writes exactly n exten/same lines in contexts of about 84
// lines (twenty literal extensions of four priorities, a trunk pattern and
// two Goto patterns), as a real site's per-team contexts look, plus a
// [bench] context including all of them (fewer than Asterisk's limit of
// 512 includes).
func writeDialplan(w *bufio.Writer, n int) {
	w.WriteString("[general]\nstatic=yes\nwriteprotect=no\nautofallthrough=yes\n\n[globals]\nTRUNK=trunk\n\n")
	n -= 2 // the [bench] context below holds two more
	written, ctx := 0, 0
	var contexts []string
	for written < n {
		name := fmt.Sprintf("team%d", ctx)
		contexts = append(contexts, name)
		fmt.Fprintf(w, "[%s]\n", name)
		for i := 0; i < 20 && written < n; i++ {
			ext := 20000 + ctx*20 + i
			fmt.Fprintf(w, "exten => %d,1,NoOp(call to %d)\n", ext, ext)
			written++
			for _, line := range []string{"same => n,Set(CALLERID(num)=${CALLERID(num)})",
				"same => n,Dial(SIP/${EXTEN},20)", "same => n,Hangup()"} {
				if written == n {
					break
				}
				fmt.Fprintln(w, line)
				written++
			}
		}
		if written < n {
			fmt.Fprintf(w, "exten => _9%dXX,1,Dial(SIP/${TRUNK}/${EXTEN:1},60)\n", ctx)
			written++
		}
		if written < n {
			w.WriteString("same => n,Hangup()\n")
			written++
		}
		for i := 0; i < 2 && written < n; i++ {
			fmt.Fprintf(w, "exten => _%d%dX,1,Goto(bench,${EXTEN},1)\n", 3+i, ctx%10)
			written++
		}
		w.WriteString("\n")
		ctx++
	}
	w.WriteString("[bench]\nexten => _1XXXXX,1,Dial(SIP/${EXTEN},20)\nsame => n,Hangup()\n")
	for _, c := range contexts {
		fmt.Fprintf(w, "include => %s\n", c)
	}
}

func writeFile(path string, fill func(w *bufio.Writer)) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fill(w)
	return errors.Join(w.Flush(), f.Close())
}

// freePort returns a loopback port free on both UDP and TCP right now.
func freePort() (int, error) {
	for i := 0; i < 50; i++ {
		u, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			return 0, err
		}
		port := u.LocalAddr().(*net.UDPAddr).Port
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		u.Close()
		if err != nil {
			continue
		}
		l.Close()
		return port, nil
	}
	return 0, errors.New("no free loopback port")
}

// writeULawWAV writes a mono 8 kHz G.711 mu-law WAV (format tag 7) of n
// samples of a 440 Hz tone at half scale.
func writeULawWAV(w *bufio.Writer, n int) {
	le := binary.LittleEndian
	var h [44]byte
	copy(h[0:], "RIFF")
	le.PutUint32(h[4:], uint32(36+n))
	copy(h[8:], "WAVEfmt ")
	le.PutUint32(h[16:], 16)   // fmt chunk size
	le.PutUint16(h[20:], 7)    // mu-law
	le.PutUint16(h[22:], 1)    // mono
	le.PutUint32(h[24:], 8000) // sample rate
	le.PutUint32(h[28:], 8000) // bytes per second
	le.PutUint16(h[32:], 1)    // block align
	le.PutUint16(h[34:], 8)    // bits per sample
	copy(h[36:], "data")
	le.PutUint32(h[40:], uint32(n))
	w.Write(h[:])
	for i := 0; i < n; i++ {
		v := int16(16384 * math.Sin(2*math.Pi*440*float64(i)/8000))
		w.WriteByte(linearToULaw(v))
	}
}

// linearToULaw is G.711 mu-law companding of one 16-bit sample.
func linearToULaw(pcm int16) byte {
	const bias, clip = 0x84, 32635
	v := int(pcm)
	sign := byte(0)
	if v < 0 {
		sign = 0x80
		v = -v
	}
	if v > clip {
		v = clip
	}
	v += bias
	exp := 7
	for mask := 0x4000; v&mask == 0 && exp > 0; mask >>= 1 {
		exp--
	}
	mant := (v >> (exp + 3)) & 0x0F
	return ^(sign | byte(exp<<4) | byte(mant))
}
