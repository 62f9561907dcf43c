#!/usr/bin/perl
# SPDX-License-Identifier: GPL-3.0-or-later
# Regex and hash work on a text: word and bigram frequencies, an index of
# the lines each word is on, references and addresses pulled out with
# regexes, every line rewritten with substitutions, then reports sorted by
# count.   perl words.pl words.txt
# Run with PERL_HASH_SEED=0 PERL_PERTURB_KEYS=0 for a repeatable hash order.
use strict;
use warnings;

my (%freq, %bigram, %lines_of, %refs, %domains, @rewritten);
my $n = 0;
while (my $line = <>) {
  chomp $line;
  $n++;
  while ($line =~ /ref (\d+)-([A-H])/g) { push @{ $refs{$2} }, $1 }
  while ($line =~ /<([a-z]+)@([a-z]+)\.example>/g) { $domains{$2}{$1}++ }
  my @w = map { lc } ($line =~ /([A-Za-z]+)/g);
  for my $i (0 .. $#w) {
    $freq{ $w[$i] }++;
    $bigram{"$w[$i-1] $w[$i]"}++ if $i > 0;
    push @{ $lines_of{ $w[$i] } }, $n if @{ $lines_of{ $w[$i] } // [] } < 50;
  }
  (my $r = $line) =~ s/\b([a-z])([a-z]*)/\u$1$2/g;
  $r =~ s/(\d+)/sprintf("%08d", $1)/ge;
  $r =~ s/\s+/ /g;
  push @rewritten, join("|", reverse split / /, $r);
  @rewritten = () if @rewritten > 5000;    # a window, as a filter would keep
}

my @top = (sort { $freq{$b} <=> $freq{$a} || $a cmp $b } keys %freq)[0 .. 19];
my @topb = (sort { $bigram{$b} <=> $bigram{$a} || $a cmp $b } keys %bigram)[0 .. 9];
my $report = join("\n", map { sprintf("%-20s %6d %s", $_, $freq{$_}, join(",", @{ $lines_of{$_} }[0 .. 4])) } @top);
my %longest;
for my $w (keys %freq) { my $l = length $w; $longest{$l} = $w if !defined $longest{$l} || $w lt $longest{$l} }
my $refcount = 0;
$refcount += @{ $refs{$_} } for keys %refs;
printf "%d lines, %d words, %d bigrams, %d refs, %d domains\n", $n, scalar(keys %freq), scalar(keys %bigram),
  $refcount, scalar(keys %domains);
print "$report\n";
print join(", ", map { "$_ ($bigram{$_})" } @topb), "\n";
