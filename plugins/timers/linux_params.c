/* The linux timer profile's parameter table (offsets into struct lnx,
 * linux.h), and the defaults of its parameters from rst_ack on: the
 * switches of Linux's TCP behaviours (the abort's reset, the send window,
 * Nagle, ACKs of a FIN and on reads, PSH on retransmissions, loss
 * recovery, the receive window, ECN, TIME_WAIT, challenge ACKs,
 * timestamps).  linux.c has the RTO estimator and the defaults of the
 * timeouts, retry limits, handshake and ACK timing.
 *
 * Defaults, and where Linux has them:
 *   rst_ack     on       tcp_send_active_reset: the reset of an abort
 *                        (close with unread data or linger 0, data after
 *                        close, keepalive giving up) is RST,ACK with
 *                        RCV.NXT, where RFC 9293 3.10.4 sends a bare RST
 *   wnd_no_shrink on     tcp_may_update_window (tcp_input.c, Linux 6.18):
 *                        the send window is taken from an ACK that
 *                        acknowledges new data or has a newer sequence
 *                        number than the last update (snd_wl1); with the
 *                        same one and nothing new acknowledged, only if
 *                        it is wider or zero.  So a duplicate ACK cannot
 *                        shrink the window, where RFC 9293 3.10.7.4
 *                        (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK)
 *                        takes whatever it says
 *   nagle_minshall on    tcp_nagle_check / tcp_minshall_check
 *                        (tcp_output.c, Linux 6.18): with Nagle on, a
 *                        short segment that would empty the queue waits
 *                        only while an earlier short segment (snd_sml,
 *                        the end of the latest one sent, tcp_minshall_
 *                        update) is unacknowledged, not while any data
 *                        is as in RFC 1122 4.2.3.4; so a write of 1.5
 *                        MSS goes at once as a full and a short segment
 *   fin_delack  on       tcp_fin: a FIN that moves ESTABLISHED to
 *                        CLOSE_WAIT schedules its ACK and enters pingpong
 *                        mode, so the ACK is a delayed one
 *                        (__tcp_ack_snd_check) and rides on the
 *                        application's FIN or answer when it comes
 *                        within the ACK timeout; in FIN_WAIT_1 and
 *                        FIN_WAIT_2 the FIN is acknowledged at once
 *                        (tcp_send_ack)
 *   retx_psh    on       tcp_sendmsg marks PSH on the buffer that ends a
 *                        write (tcp_push, tcp_mark_push), the flag
 *                        stays with those bytes: a split keeps it on the
 *                        tail part (tcp_fragment), a merge of two
 *                        buffers ORs the flags (tcp_retrans_try_
 *                        collapse), so a retransmission that covers the
 *                        end of a segment first sent with PSH carries it
 *                        too (checked on 6.18: fast_retransmit_dupacks.
 *                        pkt, sack_sender_retransmit.pkt).  Here PSH is
 *                        set where a segment ends the queued data, and
 *                        that position is remembered while unacknowledged
 *   ack_on_read on       tcp_cleanup_rbuf (tcp.c, Linux 6.18) after a
 *                        read, with an ACK scheduled: it goes at once if
 *                        more than one receive MSS arrived since the
 *                        last window sent (rcv_nxt - rcv_wup >
 *                        icsk_ack.rcv_mss), or if the read emptied the
 *                        receive memory and a short segment is pending:
 *                        tcp_measure_rcv_mss sets ICSK_ACK_PUSHED for an
 *                        in-order segment shorter than rcv_mss, and
 *                        PUSHED2 for a second one before an ACK clears
 *                        them; PUSHED2 counts even in interactive
 *                        (pingpong) mode, PUSHED only outside it.  A
 *                        segment of at least 536 bytes of payload and
 *                        header, or of 88 without PSH, FIN, SYN or URG,
 *                        of the same size as the one before it, is no
 *                        short segment (a path whose MSS is that size).
 *                        Checked on 6.18 with ack_on_read.pkt.  Not
 *                        modelled: the shrinking of rcv_mss to that
 *                        size, and Linux's own window-update rule of the
 *                        same function (the new window at least twice
 *                        the one left): the endpoint's RFC 9293 3.8.6.2.2
 *                        rule applies in every profile.  Reads are the
 *                        application's: with autoread nothing reads
 *   tlp         on       Tail Loss Probe (RFC 8985 7; sysctl
 *                        tcp_early_retrans 3, the default; as in 6.18,
 *                        checked with tlp_two_srtt.pkt,
 *                        tlp_new_data.pkt, tail_loss_probe.pkt).
 *                        tcp_schedule_loss_probe (tcp_output.c), called
 *                        after new data goes (tcp_write_xmit) and on an
 *                        ACK of new data (tcp_set_xmit_timer): with SACK,
 *                        data out and the congestion state Open or CWR
 *                        (no recovery, no timeout's loss state, no
 *                        duplicate ACK or SACKed bytes), the
 *                        retransmission timer becomes the probe timeout
 *                        2 SRTT + tcp_rto_min_us (here rto_min) with one
 *                        segment out, 2 SRTT + TCP_TIMEOUT_MIN_US (2 ms)
 *                        with more, TCP_TIMEOUT_INIT (here rto_initial)
 *                        before an RTT sample, at most when the RTO would
 *                        fire.  tcp_send_loss_probe when it fires: none
 *                        while tlp_high_seq is set (the RTO is re-armed
 *                        where it was due); else the next new segment if
 *                        the peer's window takes it (tcp_snd_wnd_test;
 *                        tcp_write_xmit with push_one 2 ignores cwnd),
 *                        or the last segment again; tlp_high_seq =
 *                        snd_nxt and the RTO restarts from the probe.
 *                        tcp_process_tlp_ack (tcp_input.c) on an ACK at
 *                        or beyond tlp_high_seq: a probe of new data ends
 *                        the episode; for a retransmission, a D-SACK of
 *                        the probe (FLAG_DSACK_TLP) or a pure duplicate
 *                        ACK ends it with no response, an ACK beyond it
 *                        enters CWR (tcp_init_cwnd_reduction,
 *                        tcp_end_cwnd_reduction: ssthresh from the
 *                        algorithm, cwnd = ssthresh), here the cc's ECN
 *                        response.  tcp_retransmit_timer and the start
 *                        of recovery (tcp_init_cwnd_reduction) clear
 *                        tlp_high_seq.  Not modelled: "one segment"
 *                        is a flight of at most one MSS (and the FIN),
 *                        not packets_out; the last segment is the
 *                        latest one sent, not the tail of the last skb;
 *                        the jiffy roundings and pacing offset.
 *   prr         on       Proportional Rate Reduction (RFC 6937, since
 *                        3.2; RFC 9937 obsoletes it): tcp_cwnd_reduction
 *                        (tcp_input.c, 6.18, as changed in 5.19: the
 *                        slow-start bound is max(prr_delivered - prr_out,
 *                        newly_acked_sacked), one more when SND.UNA
 *                        advanced and nothing was newly lost, at most
 *                        ssthresh - in_flight); in_flight above ssthresh:
 *                        ceil(ssthresh * prr_delivered / prior_cwnd) -
 *                        prr_out; at least one while prr_out is 0; cwnd =
 *                        in_flight + sndcnt, per ACK that delivered
 *                        something; tcp_end_cwnd_reduction: cwnd =
 *                        ssthresh.  The same in CWR, an ECN-Echo's
 *                        reduction (tcp_enter_cwr; see ecn).  RecoverFS
 *                        is prior_cwnd (RFC 9937: pipe).  Counted in segments there, in bytes here
 *                        with the proportional part rounded up to whole
 *                        segments.  Checked on 6.18 with
 *                        prr_proportional.pkt, prr_slow_start_bound.pkt.
 *   dsack       on       net.ipv4.tcp_dsack = 1: tcp_dsack_set for data
 *                        below rcv_nxt (tcp_data_queue,
 *                        tcp_validate_incoming's out-of-window data) and
 *                        for data within the out-of-order queue
 *                        (tcp_data_queue_ofo), tcp_dsack_extend for the
 *                        next; the block goes first (tcp_build_sack...
 *                        in tcp_established_options).  Checked with
 *                        data_duplicate_dsack.pkt.
 *   dsack_undo  on       tcp_check_dsack (a first block below the ACK, or
 *                        within the second) decrements undo_retrans, the
 *                        retransmissions since tcp_init_undo (recovery's
 *                        start, undo_marker = snd_una); tcp_try_undo_dsack
 *                        when it reaches 0, in recovery or after it
 *                        (Open/Disorder), with tcp_undo_cwnd_reduction
 *                        (cwnd = max(cwnd, prior_cwnd), ssthresh =
 *                        prior_ssthresh); tcp_enter_cwr clears
 *                        undo_marker.  A timeout (tcp_enter_loss)
 *                        reduces and restarts the episode (tcp_init_undo)
 *                        except during a recovery before high_seq (or in
 *                        Loss after a retransmission): then ssthresh,
 *                        prior_cwnd, prior_ssthresh and the episode stay,
 *                        its retransmissions counted too; in Loss the
 *                        undo (tcp_try_undo_loss: the lost marks cleared,
 *                        back to Open) waits for an ACK that advances
 *                        snd_una.  Counted here in bytes.  Checked on
 *                        6.18 with dsack_undo.pkt,
 *                        rto_recovery_keeps_ssthresh.pkt and
 *                        rto_recovery_dsack_undo.pkt.  Not
 *                        modelled: tp->reordering's growth from D-SACKs
 *                        (tcp_check_sack_reordering); the timestamp undo
 *                        and F-RTO are ts_undo and frto below.
 *   rack        on       net.ipv4.tcp_recovery = 1 (TCP_RACK_LOSS_DETECTION),
 *                        net/ipv4/tcp_recovery.c of 6.18: tcp_rack_advance
 *                        (RACK.xmit_ts/end_seq/rtt from each delivered
 *                        segment, an ambiguous retransmission under
 *                        min_rtt ignored), tcp_rack_detect_loss and
 *                        tcp_rack_mark_lost (lost after xmit + RACK.rtt +
 *                        reo_wnd, else ICSK_TIME_REO_TIMEOUT at
 *                        usecs_to_jiffies(wait) + TCP_TIMEOUT_MIN, at most
 *                        the RTO; HZ = 250 here), tcp_rack_reo_wnd (min_rtt
 *                        / 4 x reo_wnd_steps, at most SRTT; 0 without
 *                        reord_seen in recovery or with sacked_out >=
 *                        reordering), tcp_rack_update_reo_wnd (dsack_seen,
 *                        once per round trip, reo_wnd_persist = 16;
 *                        tcp_try_undo_recovery and tcp_try_undo_dsack move
 *                        the persistence), tcp_rack_reo_timeout; and in
 *                        tcp_input.c tcp_time_to_recover (lost_out alone
 *                        with RACK), tcp_check_sack_reordering (reord_seen),
 *                        tcp_dsack_seen.  Checked on 6.18 with
 *                        rack_reo_timeout.pkt and rack_reordering.pkt.  Not
 *                        modelled: the time-sorted list (the walk here
 *                        skips runs of SACKed segments), tp->reordering,
 *                        the move from Loss to Recovery when a
 *                        retransmission is lost again.  After a timeout
 *                        (tcp_enter_loss, tcp_timeout_mark_lost) the SACK
 *                        marks stay, what is not SACKed (and not sent
 *                        within rack.rtt) is lost, cwnd = in_flight + 1;
 *                        checked with rto_sack_kept.pkt,
 *                        frto_genuine_rack.pkt.
 *   frto        on       net.ipv4.tcp_frto = 2 (the default; any nonzero
 *                        value runs the same code since 3.10, "tcp:
 *                        implement RFC5682 F-RTO", extended in 4.11):
 *                        tcp_enter_loss sets tp->frto when the timeout
 *                        comes in Open/Disorder/CWR or repeats one
 *                        (icsk_retransmits), high_seq = snd_nxt;
 *                        tcp_process_loss (tcp_input.c, 6.18): an ACK
 *                        that (S)ACKs never-retransmitted data below
 *                        high_seq (FLAG_ORIG_SACK_ACKED) undoes at once,
 *                        tcp_try_undo_loss(sk, true) with
 *                        tcp_undo_cwnd_reduction (cwnd = max(cwnd,
 *                        prior_cwnd), ssthresh = prior_ssthresh;
 *                        LINUX_MIB_TCPSPURIOUSRTOS); the first ACK
 *                        advancing snd_una sends new data (REXMIT_NEW:
 *                        cwnd 2 with nothing in flight, so two segments)
 *                        when the window has room, else the lost ones
 *                        go; after it a dupack or a new SACK clears
 *                        tp->frto (step 3a).  Checked on 6.18 with
 *                        frto_spurious.pkt, frto_genuine.pkt; after 3a
 *                        in_flight counts the new segments not SACKed
 *                        (with rack: frto_genuine_inflight.pkt).
 *   ts_undo     on       tcp_timestamps = 1: tcp_packet_delayed
 *                        (retrans_stamp, the first retransmission's
 *                        timestamp, after the echoed TSecr) in
 *                        tcp_may_undo, tested by tcp_try_undo_recovery at
 *                        the ACK that ends a recovery or loss,
 *                        tcp_try_undo_partial at a partial ACK in
 *                        recovery (waits while retrans_out), and
 *                        tcp_try_undo_loss at an ACK advancing snd_una
 *                        after a timeout (before F-RTO's checks).
 *                        Checked on 6.18 with ts_undo_recovery.pkt,
 *                        ts_undo_rto.pkt.
 *   sack_reneg  on       tcp_check_sack_reneging (tcp_fastretrans_alert
 *                        step B): an ACK that advances snd_una to a
 *                        segment still SACKed sets the retransmission
 *                        timer to max(usecs_to_jiffies(srtt / 2),
 *                        msecs_to_jiffies(10)) and returns before
 *                        loss detection; tcp_timeout_mark_lost then
 *                        drops the SACK marks.  Checked on 6.18 with
 *                        sack_reneging.pkt.
 *   (receive buffer)     rcvbuf is the buffer's memory, Linux's sk_rcvbuf:
 *                        SO_RCVBUF sets it to twice the value asked
 *                        (sock_setsockopt, net/core/sock.c, 6.18; at
 *                        least SOCK_MIN_RCVBUF), as the packetdrill
 *                        layer and tests/linux_diff/synack_side.lua do;
 *                        unset it is tcp_rmem[1] = 131072 (since 4.20)
 *   rcv_ratio_initial 128  include/net/tcp.h, tcp_win_from_space: the
 *                        window is space * scaling_ratio >> 8; the ratio
 *                        starts at TCP_DEFAULT_SCALING_RATIO, 50 % in
 *                        6.18 (6.5 to 6.7 "1200 bytes per 4 KiB page");
 *                        before 6.5 tcp_adv_win_scale = 1 took the same
 *                        half (space - space/2).  So SO_RCVBUF 4096
 *                        offers rounddown(4096, 1460) = 2920 bytes in
 *                        the SYN (tcp_select_initial_window), the default
 *                        buffer 64240 (checked on 6.18, linux_diff's
 *                        zero_window_receiver and delayed_ack)
 *   rcv_ratio   154      tcp_measure_rcv_mss (tcp_input.c, 6.18): a
 *                        segment longer than the receive MSS estimate
 *                        sets scaling_ratio = len * 256 / truesize and,
 *                        if it changed, window_clamp to the new full
 *                        space (tcp_set_window_clamp).  truesize is the
 *                        driver's: 154 fits the windows Linux 6.18
 *                        advertised for 1448-byte segments over a veth
 *                        (a clamp of 78848 for the 131072-byte default,
 *                        free space under half the clamp after two
 *                        segments for SO_RCVBUF 4096).  Here each unread
 *                        byte costs 256 / rcv_ratio bytes of memory; the
 *                        kernel charges each buffer's own truesize, and
 *                        a short segment costs it far more
 *   rcv_grow    on       tcp_select_initial_window (tcp_output.c, 6.18):
 *                        the SYN's window is the full space rounded down
 *                        to whole advertised MSSs, at most 65535, and
 *                        the window scale the smallest that carries the
 *                        window clamp, which for a set SO_RCVBUF is the
 *                        full space (tcp_connect_init); unset, Linux
 *                        sizes it for tcp_rmem[2] (7 for 6 MiB: synack's
 *                        default 4 MiB rcvbuf gives the same).
 *                        tcp_init_buffer_space: window_clamp is the full
 *                        space less an MSS (at least two MSS) and
 *                        rcv_ssthresh at most the initial window.
 *                        tcp_grow_window: an in-order segment of 128
 *                        bytes or more (tcp_event_data_recv) raises
 *                        rcv_ssthresh by max(2 * advmss, 2 * len) up to
 *                        min(window_clamp, tcp_space) and sets
 *                        icsk_ack.quick |= 1, so the ACK goes at once
 *                        and an even quick-ACK count stays where it was.
 *                        __tcp_select_window: the window is min(free
 *                        space, rcv_ssthresh); free space under half the
 *                        full space clears icsk_ack.quick and, under an
 *                        MSS or a sixteenth of the buffer, offers zero;
 *                        unscaled it is a multiple of the receive MSS
 *                        (the previous window kept while within an MSS),
 *                        scaled rounded up to the unit; tcp_select_window
 *                        never moves the right edge back
 *                        (tcp_shrink_window 0).  __tcp_ack_snd_check: two
 *                        segments' worth (more than rcv_mss since the
 *                        last window sent) is ACKed at once only when the
 *                        new window is no smaller than the last; a
 *                        duplicate segment enters quick-ACK mode
 *                        (tcp_enter_quickack_mode) but the same check
 *                        decides.  tcp_cleanup_rbuf: a read sends a
 *                        window update when the window left is at most
 *                        half the clamp and the new one at least twice
 *                        it.  Not modelled: receive-buffer autotuning
 *                        (tcp_rcv_space_adjust, tcp_rcvbuf_grow: an
 *                        unset SO_RCVBUF grows towards tcp_rmem[2] with
 *                        what the reader copies per RTT), memory
 *                        pressure, and growth of a window already beyond
 *                        the segments' ratio (__tcp_grow_window)
 *   ecn         accept   sysctl tcp_ecn = 2 (the default since 2.6.31,
 *                        still in 6.18): ECN (RFC 3168) when a
 *                        passive open's SYN asks for it (ECE and CWR,
 *                        Not-ECT: tcp_ecn_create_request), never asked
 *                        for by a connect; "on" is tcp_ecn = 1.  Of
 *                        6.18's include/net/tcp_ecn.h and tcp_output.c:
 *                        new data goes ECT(0), SYNs, ACKs and
 *                        retransmissions Not-ECT (tcp_ecn_send); a
 *                        retransmitted SYN drops ECE and CWR
 *                        (tcp_ecn_clear_syn, tcp_ecn_fallback 1); the
 *                        first CE of a series, or a Not-ECT segment after
 *                        ECT ones, enters quick-ACK mode for two ACKs
 *                        (tcp_ecn_check_ce); every segment carries ECE
 *                        until data with CWR, which is ACKed at once
 *                        (tcp_ecn_accept_cwr); an ECE outside recovery
 *                        and CWR enters CWR (tcp_try_to_open,
 *                        tcp_enter_cwr: ssthresh from the algorithm, CWR
 *                        queued for the next new data, high_seq =
 *                        snd_nxt, no undo), where with prr
 *                        tcp_cwnd_reduction brings cwnd down on each ACK
 *                        (tcp_cong_control: no cong_avoid meanwhile),
 *                        left once snd_una passes high_seq with cwnd =
 *                        ssthresh (tcp_end_cwnd_reduction); a loss in CWR
 *                        enters Recovery without a new reduction
 *                        (tcp_enter_recovery), a timeout before high_seq
 *                        keeps ssthresh (tcp_enter_loss).  Checked with
 *                        ecn_*.pkt.  Not modelled: AccECN (tcp_ecn 3 to
 *                        5), per-route ECN (RTAX_FEATURE_ECN)
 *   invalid_ack_ratelimit 500 ms  sysctl tcp_invalid_ratelimit: per
 *                        connection, an ACK answering an unacceptable
 *                        segment without data (out of window, or
 *                        acknowledging what was never sent) goes only
 *                        this long after the previous one (RFC 5961 7)
 *   tw_syn_accept on     tcp_timewait_state_process (TCP_TW_SYN) and
 *                        tcp_v4_rcv: a SYN without ACK or RST in
 *                        TIME_WAIT whose sequence number is after
 *                        RCV.NXT, or whose TSval is newer than
 *                        TS.Recent (and not older: PAWS), ends the
 *                        TIME_WAIT and goes to the port's listener; the
 *                        new connection's ISS is the old SND.NXT + 65535
 *                        + 2 (never 0).  Another SYN gets the TIME_WAIT's
 *                        ACK, rate limited like any answer to an
 *                        unacceptable segment (tcp_timewait_check_oow_
 *                        rate_limit), not a challenge ACK; an acceptable
 *                        one with no listener gets it unlimited (the
 *                        fall through to TCP_TW_ACK).  The same as
 *                        RFC 6191 but that it answers what it refuses
 *                        (6191 drops it) and that a first incarnation
 *                        without timestamps needs the sequence rule
 *   tw_ack_restart on    tcp_timewait_state_process (Linux 6.18, checked
 *                        with tests/packetdrill/time_wait_ack_restart.pkt):
 *                        a segment is in the window only when exactly at
 *                        RCV.NXT with no data, SYN or FIN (or a RST) and
 *                        PAWS accepts it; a bare one restarts the wait
 *                        (inet_twsk_reschedule, TCP_TIMEWAIT_LEN: here
 *                        time_wait) unanswered, whether it carries ACK or
 *                        not, and takes its TSval as TS.Recent.  Any other
 *                        segment but a reset gets the TIME_WAIT's ACK
 *                        (tcp_timewait_check_oow_rate_limit: rate limited
 *                        unless it carries data or a FIN) and restarts the
 *                        wait when it carries ACK or fails PAWS, so an old
 *                        duplicate ACK, data, and the retransmitted FIN
 *                        of RFC 9293 all do; a SYN without ACK does not.
 *                        Not modelled: PAWS's 24-day and reset exceptions
 *   tw_rst_exact on      the same function: a reset not exactly at
 *                        RCV.NXT, or failing PAWS, is dropped unanswered,
 *                        in the window or not (no challenge ACK)
 *   tw_rfc1337  off      sysctl tcp_rfc1337 (0 by default): a reset at
 *                        RCV.NXT ends the TIME_WAIT ("TIME_WAIT
 *                        assassination"); on, it is ignored as RFC 1337
 *                        proposes (checked on 6.18 with
 *                        tests/packetdrill/time_wait_rst.pkt)
 *   tw_reuse     2       sysctl tcp_tw_reuse (2 by default since Linux
 *                        4.18, "loopback only"), tcp_twsk_unique: a
 *                        connect may take over a 4-tuple held by a
 *                        TIME_WAIT that saw timestamps, its write_seq the
 *                        old SND.NXT + 65537.  An explicitly bound port
 *                        is taken whatever the sysctl says (the check
 *                        gets no twp); an ephemeral port only under 1,
 *                        or under 2 when an address is loopback, and
 *                        once tcp_tw_reuse_delay has passed since the
 *                        TIME_WAIT began.  synack has no loopback: 2 is
 *                        a connection to the node's own address, so
 *                        between two nodes the ephemeral choice skips
 *                        TIME_WAIT tuples as Linux does between two
 *                        hosts; 0 here also refuses an explicit port
 *                        (stricter than Linux's 0)
 *   tw_reuse_delay 1 s   sysctl tcp_tw_reuse_delay (Linux 6.14, in ms;
 *                        before it a fixed second since the last
 *                        timestamp received)
 *   crossed_synack on    tcp_validate_incoming (Linux 6.11, "tcp: Don't
 *                        drop SYN+ACK for simultaneous connect()"): in
 *                        SYN_RECEIVED of an active open, a SYN-ACK with
 *                        SEG.SEQ + 1 = RCV.NXT, no data and SEG.ACK =
 *                        SND.NXT is not challenged: its ACK completes
 *                        the handshake, and the duplicate SYN is
 *                        acknowledged (with a D-SACK block in Linux)
 *   challenge_ack_per_conn on  tcp_send_challenge_ack checks the
 *                        connection's limit first (__tcp_oow_rate_limited
 *                        on last_oow_ack_time, shared with the answers
 *                        above, for every challenge ACK, data or not:
 *                        Linux 4.7, 083ae308280d); a suppressed one is
 *                        counted (TCPACKSkippedChallenge) and uses none
 *                        of the endpoint's budget
 *   challenge_ack_limit 0  sysctl tcp_challenge_ack_limit: INT_MAX, no
 *                        per-netns (here per-endpoint) budget, since
 *                        Linux 6.0 (79e3602caa6f, "make global challenge
 *                        ack rate limitation per net-ns and default
 *                        disabled"); 1000 from 4.7 to 5.19, 100 before
 *   challenge_ack_random on  with a limit L, the budget of each second
 *                        (jiffies / HZ) is drawn anew when the first
 *                        challenge ACK of that second is due, uniform in
 *                        [H, L + H - 1] with H = (L + 1) / 2 (Linux 4.7,
 *                        75ff39ccc1bd, "make challenge acks less
 *                        predictable"); here from the endpoint's own
 *                        random stream, so a run stays reproducible
 *   ts_offset   on       sysctl tcp_timestamps = 1: TSval is the 1 ms
 *                        clock plus tsoffset = secure_tcp_ts_off(saddr,
 *                        daddr), a keyed hash of the two addresses only
 *                        (per connection in 4.10, 95a22caee396; per
 *                        address pair since 4.11, 28ee1b746f49), on both
 *                        sides of the handshake, so every connection
 *                        between two hosts shares it.  Here the key comes
 *                        from the run seed and the node.  Linux's clock
 *                        counts from boot, this one from the run's start
 *   ts_recent_acked on   tcp_replace_ts_recent runs in tcp_ack after its
 *                        early returns: a RST or SYN (tcp_validate_incoming),
 *                        a segment without ACK, an ACK below SND.UNA
 *                        (old_ack) or beyond SND.NXT leave TS.Recent as it
 *                        was, so the ACK answering one echoes the older
 *                        TSval (seen on 6.18); otherwise the rule is RFC
 *                        7323 4.3's: SEG.SEQ <= rcv_wup, which is RCV.NXT
 *                        as of the last segment sent (Last.ACK.sent), and
 *                        SEG.TSval >= TS.Recent (tcp_paws_check; its
 *                        exceptions for a TS.Recent of 0 or 24 days old
 *                        are not modelled) */
#include <stddef.h>

#include "linux.h"
#include "param.h"
#include "rto.h"

#define LIM(f) offsetof(struct lnx, lim.f)

static const char *const ecn_choices[] = { "off", "accept", "on", NULL };

const sy_param lnx_params[] = {
	{ .name = "rto_initial", .type = SY_PT_DURATION, .offset = LIM(rto_initial),
	  .def = "1s", .min = "1ns", .max = RTO_DUR_MAX,
	  .doc = "RTO before the first RTT sample (TCP_TIMEOUT_INIT)" },
	{ .name = "rto_min", .type = SY_PT_DURATION, .offset = LIM(rto_min),
	  .def = "200ms", .min = "0s", .max = RTO_DUR_MAX,
	  .doc = "floor of the RTO's variance term, so RTO >= SRTT + rto_min (TCP_RTO_MIN)" },
	{ .name = "rto_max", .type = SY_PT_DURATION, .offset = LIM(rto_max),
	  .def = "120s", .min = "1ns", .max = RTO_DUR_MAX,
	  .doc = "upper bound of the RTO and its backoff (TCP_RTO_MAX)" },
	{ .name = "syn_retries", .type = SY_PT_INT, .offset = LIM(syn_retries),
	  .def = "6", .min = "0", .max = RTO_RETRIES_MAX,
	  .doc = "SYN retransmissions before giving up, besides the linear ones (tcp_syn_retries)" },
	{ .name = "syn_linear_timeouts", .type = SY_PT_INT,
	  .offset = LIM(syn_linear_timeouts),
	  .def = "4", .min = "0", .max = RTO_RETRIES_MAX,
	  .doc = "SYN timeouts before the RTO backs off, each one more SYN retry "
		 "(tcp_syn_linear_timeouts, Linux 6.5); 0: backoff from the first" },
	{ .name = "acceptq_drop_syn", .type = SY_PT_BOOL, .offset = LIM(acceptq_drop_syn),
	  .def = "true",
	  .doc = "a SYN finding the accept queue full is dropped, not answered (tcp_conn_request)" },
	{ .name = "dup_syn_synack", .type = SY_PT_BOOL, .offset = LIM(dup_syn_synack),
	  .def = "true",
	  .doc = "a retransmitted SYN in SYN_RECEIVED gets the SYN-ACK again at once, "
		 "restarting its timer; rate limited by invalid_ack_ratelimit (tcp_check_req)" },
	{ .name = "synack_retries", .type = SY_PT_INT, .offset = LIM(synack_retries),
	  .def = "5", .min = "0", .max = RTO_RETRIES_MAX,
	  .doc = "SYN-ACK retransmissions before giving up (tcp_synack_retries)" },
	{ .name = "data_retries", .type = SY_PT_INT, .offset = LIM(data_retries),
	  .def = "15", .min = "0", .max = RTO_RETRIES_MAX,
	  .doc = "data or FIN retransmissions before giving up (tcp_retries2)" },
	{ .name = "time_wait", .type = SY_PT_DURATION, .offset = LIM(time_wait),
	  .def = "60s", .min = "0s", .max = RTO_DUR_MAX,
	  .doc = "TIME_WAIT length (TCP_TIMEWAIT_LEN)" },
	{ .name = "fin_wait2", .type = SY_PT_DURATION, .offset = LIM(fin_wait2),
	  .def = "60s", .min = "0s", .max = RTO_DUR_MAX,
	  .doc = "orphaned FIN_WAIT_2 timeout; 0: none (tcp_fin_timeout)" },
	{ .name = "syn_received", .type = SY_PT_DURATION, .offset = LIM(syn_received),
	  .def = "0s", .min = "0s", .max = RTO_DUR_MAX,
	  .doc = "SYN_RECEIVED timeout; 0: the SYN-ACK retries alone decide, as in Linux" },
	{ .name = "user_timeout", .type = SY_PT_DURATION, .offset = LIM(user_timeout),
	  .def = "0s", .min = "0s", .max = RTO_DUR_MAX,
	  .doc = "user timeout for unacknowledged data (TCP_USER_TIMEOUT); 0: none" },
	{ .name = "keepalive", .type = SY_PT_BOOL, .offset = LIM(keepalive),
	  .def = "false",
	  .doc = "send keepalive probes (SO_KEEPALIVE, off by default)" },
	{ .name = "keepalive_time", .type = SY_PT_DURATION, .offset = LIM(keepalive_time),
	  .def = "7200s", .min = "1ms", .max = RTO_DUR_MAX,
	  .doc = "idle time before the first probe (tcp_keepalive_time)" },
	{ .name = "keepalive_intvl", .type = SY_PT_DURATION, .offset = LIM(keepalive_intvl),
	  .def = "75s", .min = "1ms", .max = RTO_DUR_MAX,
	  .doc = "time between unanswered probes (tcp_keepalive_intvl)" },
	{ .name = "keepalive_probes", .type = SY_PT_INT, .offset = LIM(keepalive_probes),
	  .def = "9", .min = "1", .max = RTO_RETRIES_MAX,
	  .doc = "unanswered probes before giving up (tcp_keepalive_probes)" },
	{ .name = "delack", .type = SY_PT_DURATION, .offset = LIM(delack),
	  .def = "40ms", .min = "0s", .max = "10s",
	  .doc = "delayed-ACK timeout; 0: ACK at once (TCP_DELACK_MIN)" },
	{ .name = "quickack", .type = SY_PT_INT, .offset = LIM(quickack),
	  .def = "16", .min = "0", .max = "65535",
	  .doc = "quick-ACK mode: up to this many ACKs at once (half the window in segments, "
		 "2 if none) for the first data and after a duplicate (TCP_MAX_QUICKACKS); 0: none" },
	{ .name = "rst_ack", .type = SY_PT_BOOL, .offset = LIM(rst_ack),
	  .def = "true",
	  .doc = "the reset of an abort (close with unread data, linger 0, keepalive giving up) carries ACK (tcp_send_active_reset)" },
	{ .name = "wnd_no_shrink", .type = SY_PT_BOOL, .offset = LIM(wnd_no_shrink),
	  .def = "true",
	  .doc = "an ACK with nothing new acknowledged and the last update's sequence number "
		 "may widen or close the send window, not shrink it (tcp_may_update_window)" },
	{ .name = "nagle_minshall", .type = SY_PT_BOOL, .offset = LIM(nagle_minshall),
	  .def = "true",
	  .doc = "Nagle holds a short segment only while an earlier short one is "
		 "unacknowledged (Minshall's variant, tcp_minshall_check)" },
	{ .name = "fin_delack", .type = SY_PT_BOOL, .offset = LIM(fin_delack),
	  .def = "true",
	  .doc = "a FIN that ends ESTABLISHED gets a delayed ACK, which the application's "
		 "FIN can carry (tcp_fin's pingpong mode)" },
	{ .name = "retx_psh", .type = SY_PT_BOOL, .offset = LIM(retx_psh),
	  .def = "true",
	  .doc = "a retransmission carries PSH when it covers the end of a segment sent with "
		 "PSH (tcp_mark_push: the flag stays with the data)" },
	{ .name = "tlp", .type = SY_PT_BOOL, .offset = LIM(tlp),
	  .def = "true",
	  .doc = "Tail Loss Probe (RFC 8985 7) with SACK: 2 SRTT (+ rto_min with one segment "
		 "out, + 2 ms with more) after the last send or ACK, one new segment or the "
		 "last one again (tcp_schedule_loss_probe, tcp_send_loss_probe)" },
	{ .name = "prr", .type = SY_PT_BOOL, .offset = LIM(prr),
	  .def = "true",
	  .doc = "fast recovery sends what Proportional Rate Reduction allows, with the "
		 "slow-start reduction bound (RFC 9937; tcp_cwnd_reduction)" },
	{ .name = "dsack", .type = SY_PT_BOOL, .offset = LIM(dsack),
	  .def = "true",
	  .doc = "a segment received again is reported in a D-SACK first block (RFC 2883; "
		 "tcp_dsack = 1)" },
	{ .name = "dsack_undo", .type = SY_PT_BOOL, .offset = LIM(dsack_undo),
	  .def = "true",
	  .doc = "a fast recovery or timeout whose retransmissions were all D-SACKed is undone: "
		 "cwnd and ssthresh restored (RFC 3708; tcp_try_undo_dsack, tcp_try_undo_loss); a "
		 "timeout during recovery keeps its reduction (tcp_enter_loss)" },
	{ .name = "rack", .type = SY_PT_BOOL, .offset = LIM(rack),
	  .def = "true",
	  .doc = "RACK loss detection (RFC 8985 6) with SACK: a segment is lost once one sent "
		 "after it was delivered and RACK.rtt + reo_wnd passed; that alone starts fast "
		 "recovery (tcp_recovery = 1: tcp_rack_mark_lost)" },
	{ .name = "frto", .type = SY_PT_BOOL, .offset = LIM(frto),
	  .def = "true",
	  .doc = "F-RTO after a timeout: two new segments before going back; an ACK of "
		 "originals undoes the timeout (RFC 5682 with SACK; tcp_frto = 2, tcp_process_loss)" },
	{ .name = "ts_undo", .type = SY_PT_BOOL, .offset = LIM(ts_undo),
	  .def = "true",
	  .doc = "an ACK echoing a TSval older than the first retransmission undoes the "
		 "recovery or timeout (Eifel, RFC 3522; tcp_packet_delayed)" },
	{ .name = "sack_reneg", .type = SY_PT_BOOL, .offset = LIM(sack_reneg),
	  .def = "true",
	  .doc = "an ACK up to a SACKed segment (the peer reneged) sets the retransmission "
		 "timer to max(SRTT/2, 10 ms) in jiffies and nothing else (tcp_check_sack_reneging)" },
	{ .name = "rcv_ratio_initial", .type = SY_PT_INT, .offset = LIM(rcv_ratio_initial),
	  .def = "128", .min = "1", .max = "256",
	  .doc = "256ths of the buffer's memory the window offers until a full-sized segment "
		 "arrives (TCP_DEFAULT_SCALING_RATIO)" },
	{ .name = "rcv_ratio", .type = SY_PT_INT, .offset = LIM(rcv_ratio),
	  .def = "154", .min = "1", .max = "256",
	  .doc = "payload per 256 bytes of memory a received segment costs (scaling_ratio, "
		 "skb->len / truesize): the window's share after a full-sized segment" },
	{ .name = "rcv_grow", .type = SY_PT_BOOL, .offset = LIM(rcv_grow),
	  .def = "true",
	  .doc = "the window grows from the initial one by two MSS per segment, each growth "
		 "ACKed at once, to a clamp under the buffer; whole MSSs unscaled, zero under "
		 "an MSS (tcp_grow_window, __tcp_select_window)" },
	{ .name = "ecn", .type = SY_PT_ENUM, .offset = LIM(ecn),
	  .def = "accept", .choices = ecn_choices,
	  .doc = "ECN (RFC 3168): off; accept, when a passive open's SYN asks for it "
		 "(tcp_ecn = 2, the default); on, also asked for by active opens (tcp_ecn = 1)" },
	{ .name = "ack_on_read", .type = SY_PT_BOOL, .offset = LIM(ack_on_read),
	  .def = "true",
	  .doc = "a read sends the delayed ACK at once after more than a receive MSS, or when "
		 "it empties the buffer after two short segments, or one outside interactive "
		 "mode (tcp_cleanup_rbuf)" },
	{ .name = "pingpong", .type = SY_PT_INT, .offset = LIM(pingpong),
	  .def = "1", .min = "0", .max = "255",
	  .doc = "interactive (pingpong) mode after this many data segments each sent within "
		 "delack of data received: no quick ACKs until a delayed ACK times out "
		 "(tcp_pingpong_thresh); 0: never" },
	{ .name = "invalid_ack_ratelimit", .type = SY_PT_DURATION,
	  .offset = LIM(invalid_ack_ratelimit),
	  .def = "500ms", .min = "0s", .max = RTO_DUR_MAX,
	  .doc = "per connection, the least time between ACKs answering unacceptable "
		 "segments without data (RFC 5961 7); 0: no limit (tcp_invalid_ratelimit)" },
	{ .name = "tw_syn_accept", .type = SY_PT_BOOL, .offset = LIM(tw_syn_accept),
	  .def = "true",
	  .doc = "a SYN in TIME_WAIT beyond RCV.NXT or with a newer TSval opens a new "
		 "connection on the listener, ISS = old SND.NXT + 65537 (TCP_TW_SYN)" },
	{ .name = "tw_reuse", .type = SY_PT_INT, .offset = LIM(tw_reuse),
	  .def = "2", .min = "0", .max = "2",
	  .doc = "connect takes over a TIME_WAIT 4-tuple with timestamps: 0 never, 1 also for "
		 "an ephemeral port, 2 an ephemeral one only to the node itself (tcp_tw_reuse)" },
	{ .name = "tw_reuse_delay", .type = SY_PT_DURATION, .offset = LIM(tw_reuse_delay),
	  .def = "1s", .min = "0s", .max = RTO_DUR_MAX,
	  .doc = "time in TIME_WAIT before an ephemeral port takes it over (tcp_tw_reuse_delay)" },
	{ .name = "crossed_synack", .type = SY_PT_BOOL, .offset = LIM(crossed_synack),
	  .def = "true",
	  .doc = "the peer's SYN-ACK in a simultaneous open's SYN_RECEIVED completes the "
		 "handshake (Linux 6.11)" },
	{ .name = "challenge_ack_per_conn", .type = SY_PT_BOOL,
	  .offset = LIM(challenge_ack_per_conn), .def = "true",
	  .doc = "challenge ACKs are also limited per connection by invalid_ack_ratelimit "
		 "(tcp_send_challenge_ack, Linux 4.7)" },
	{ .name = "challenge_ack_limit", .type = SY_PT_INT,
	  .offset = LIM(challenge_ack_limit), .def = "0", .min = "0", .max = "1000000000",
	  .doc = "challenge ACKs per second per endpoint, unless the state machine sets one; "
		 "0: no limit (tcp_challenge_ack_limit, INT_MAX since Linux 6.0)" },
	{ .name = "challenge_ack_random", .type = SY_PT_BOOL,
	  .offset = LIM(challenge_ack_random), .def = "true",
	  .doc = "each second's challenge ACK budget is drawn from [ceil(L/2), L + ceil(L/2) - 1] "
		 "(Linux 4.7)" },
	{ .name = "ts_offset", .type = SY_PT_BOOL, .offset = LIM(ts_offset), .def = "true",
	  .doc = "TSval counts from a random offset per address pair (tcp_timestamps = 1, "
		 "secure_tcp_ts_off)" },
	{ .name = "ts_recent_acked", .type = SY_PT_BOOL, .offset = LIM(ts_recent_acked),
	  .def = "true",
	  .doc = "TS.Recent only from a segment whose ACK is accepted: not a RST, a SYN, an old "
		 "ACK or one of unsent data (tcp_ack, tcp_replace_ts_recent)" },
	{ .name = "retries_by_time", .type = SY_PT_BOOL, .offset = LIM(retries_by_time),
	  .def = "true",
	  .doc = "data_retries and orphan_retries are the time that many timeouts backing off "
		 "from rto_min take (924.6 s for 15), from the first retransmission; "
		 "a user_timeout replaces it (retransmits_timed_out, "
		 "tcp_model_timeout); false: counts" },
	{ .name = "orphan_retries", .type = SY_PT_INT, .offset = LIM(orphan_retries),
	  .def = "0", .min = "-1", .max = RTO_RETRIES_MAX,
	  .doc = "limit of an orphan (closed, in FIN_WAIT_1, CLOSING, LAST_ACK); 0: 8 while "
		 "the RTO is below rto_max, else 0 (tcp_orphan_retries); -1: data_retries" },
	{ .name = "user_timeout_probes", .type = SY_PT_BOOL, .offset = LIM(user_timeout_probes),
	  .def = "true",
	  .doc = "user_timeout also ends zero-window probing and keepalive (after a probe went "
		 "unanswered), instead of keepalive_probes (tcp_probe_timer, tcp_keepalive_timer)" },
	{ .name = "tw_ack_restart", .type = SY_PT_BOOL, .offset = LIM(tw_ack_restart),
	  .def = "true",
	  .doc = "in TIME_WAIT a bare ACK at RCV.NXT restarts the wait; any other segment but a "
		 "reset gets the rate-limited ACK and restarts it if it carries ACK "
		 "(tcp_timewait_state_process)" },
	{ .name = "tw_rst_exact", .type = SY_PT_BOOL, .offset = LIM(tw_rst_exact),
	  .def = "true",
	  .doc = "in TIME_WAIT a reset not at RCV.NXT is dropped, no challenge ACK "
		 "(tcp_timewait_state_process)" },
	{ .name = "tw_rfc1337", .type = SY_PT_BOOL, .offset = LIM(tw_rfc1337),
	  .def = "false",
	  .doc = "in TIME_WAIT even a reset at RCV.NXT is ignored (tcp_rfc1337, 0 by default)" },
	{ .name = "syn_retries_by_time", .type = SY_PT_BOOL,
	  .offset = LIM(syn_retries_by_time), .def = "true",
	  .doc = "an active open also gives up once the time syn_retries timeouts doubling "
		 "from rto_initial take has passed since the first SYN (3 s for 1, 7 s for 2; "
		 "tcp_write_timeout, tcp_model_timeout)" },
	{ .name = NULL },
};
