# gostrisk — build, run, test, bench, fuzz.
GO        ?= go
BIN       := bin/gostrisk
SAMPLE    := samples/etc-asterisk/asterisk.conf
FUZZTIME  ?= 20s

.PHONY: build run check test test-deps unit bench fuzz vet clean

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/gostrisk

# Run gostrisk in the foreground with a console on the sample config.
run: build
	./$(BIN) -C $(SAMPLE) -cvvv

check: build
	./$(BIN) check -C $(SAMPLE)

# Installs what the end-to-end tests drive (sipp, baresip, fail2ban,
# sipvicious's svcrack, the AMI/AGI client libraries) and the Debian prompts and music pkg/media/sound
# reads when missing; needs root on Debian, as CI has.
test-deps:
	@missing=""; \
	command -v sipp >/dev/null 2>&1 || missing="$$missing sip-tester"; \
	command -v baresip >/dev/null 2>&1 || missing="$$missing baresip"; \
	command -v fail2ban-regex >/dev/null 2>&1 || missing="$$missing fail2ban"; \
	command -v svcrack >/dev/null 2>&1 || missing="$$missing sipvicious"; \
	command -v sox >/dev/null 2>&1 || missing="$$missing sox"; \
	for p in asterisk-core-sounds-en-wav:en/hello-world.wav asterisk-core-sounds-en-gsm:en/hello-world.gsm \
		asterisk-core-sounds-fr-wav:fr/hello-world.wav; do \
		[ -e /usr/share/asterisk/sounds/$${p#*:} ] || missing="$$missing $${p%%:*}"; \
	done; \
	ls /usr/share/asterisk/moh/*.wav >/dev/null 2>&1 || missing="$$missing asterisk-moh-opsound-wav"; \
	[ -e /usr/lib/python3/dist-packages/panoramisk/__init__.py ] || missing="$$missing python3-panoramisk"; \
	[ -e /usr/share/perl5/Telephony/Asterisk/AMI.pm ] || missing="$$missing libtelephony-asterisk-ami-perl"; \
	[ -e /usr/share/perl5/Asterisk/AGI.pm ] || missing="$$missing libasterisk-agi-perl"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		(apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# The end-to-end tests (./tests) wait on real time (calls, prompts, timers)
# far more than they use the CPU, so they run as four processes side by
# side after the other packages: the media modules' flows (voicemail,
# queues, conferences, recording), the signalling modules' (AMI/AGI,
# subscriptions, transfers, Local channels), chan_sip's own (calls,
# trunks, direct media, TLS/TCP/SRTP, IPv6), and the rest (BLF, parking
# and session timers among them, to even out the four: measured with
# go test -json, the groups took 322/309/278/331 s on a quiet machine).
E2E_MEDIA := ^(TestVoicemail|TestQueue|TestConfBridge|TestMixMonitor|TestMeetMe|TestOneTouch)
E2E_SIP := ^(TestChan|TestTrunk|TestCall|TestDirect|TestTLS|TestTCP|TestSRTP|TestQualify|TestRTP|TestRTCP|TestPRACK|TestIdentity|TestPresence)
E2E_SIGNAL := ^(TestAMI|TestAGI|TestFastAGI|TestSubscribe|TestMWI|TestCustomDevstate|TestMessage|TestBlindTransfer|TestAttendedTransfer|TestPickup|TestDTMF|TestTransfer|TestFeatures|TestHygiene|TestLocal|TestCdrManager)

test: test-deps vet
	$(GO) test -count=1 -timeout 9m $$($(GO) list ./... | grep -v '/tests$$')
	$(GO) test -c -o /dev/null ./tests
	@$(GO) test -count=1 -timeout 9m -run '$(E2E_MEDIA)' ./tests & media=$$!; \
	$(GO) test -count=1 -timeout 9m -run '$(E2E_SIGNAL)' ./tests & signal=$$!; \
	$(GO) test -count=1 -timeout 9m -run '$(E2E_SIP)' ./tests & sip=$$!; \
	$(GO) test -count=1 -timeout 9m -skip '$(E2E_MEDIA)|$(E2E_SIGNAL)|$(E2E_SIP)' ./tests; rest=$$?; \
	wait $$media; m=$$?; wait $$signal; s=$$?; wait $$sip; p=$$?; \
	test $$rest -eq 0 -a $$m -eq 0 -a $$s -eq 0 -a $$p -eq 0

unit:
	$(GO) test -count=1 -short ./pkg/...

vet:
	$(GO) vet ./...

bench: build
	./bench/run.sh

fuzz:
	./bench/fuzz.sh $(FUZZTIME)

clean:
	rm -rf bin
