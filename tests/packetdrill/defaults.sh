#!/bin/sh
# Settings the scripts beside this file share (run from their first line).
sysctl -q net.ipv4.tcp_timestamps=0
sysctl -q net.ipv4.tcp_sack=1
sysctl -q net.ipv4.tcp_window_scaling=1
# The receive buffer of Linux before 6.x (6 MB at most: window scale 7)
sysctl -q net.ipv4.tcp_rmem="4096 131072 6291456"
# MSS-sized segments on the wire, not one large one for the device to split
ethtool -K tun0 tso off gso off
