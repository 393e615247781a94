#!/usr/bin/env perl
# Finds string literals that reach a widget or a message box without tr(): the text given to a
# widget's setter (setText, setToolTip, setWindowTitle ...), a widget's or an action's
# constructor, a QMessageBox or QInputDialog call, a menu's addMenu/addAction, a combo box's
# addItem. A literal counts when it holds a letter; inside tr(), QCoreApplication::translate()
# or QT_TR_NOOP() it is translated. A call that is meant to show an untranslated text (a
# sample, a file name) says so with `// no-tr: why` on its line.
#   scripts/check-tr.pl FOLDER...   (prints file:line: call per finding; exit 1 if any)
use strict;
use warnings;
use File::Find;

my @calls = qw(
    setText setToolTip setStatusTip setWhatsThis setWindowTitle setPlaceholderText setTitle
    setLabelText setPrefix setSuffix setSpecialValueText setHeaderLabels setHorizontalHeaderLabels
    setVerticalHeaderLabels setTabText setTabToolTip setItemText setAccessibleName
    setAccessibleDescription setTitleText setLabelFormat setInformativeText setDetailedText
    showMessage addItem addItems insertItem addTab insertTab addMenu addAction addButton addRow
    setEmptyText setDescription setWindowIconText
    QLabel QPushButton QToolButton QCheckBox QRadioButton QGroupBox QAction QMenu QLineEdit
    QTreeWidgetItem QListWidgetItem QTableWidgetItem QWidgetAction
    information warning critical question about getText getInt getDouble getItem
    getOpenFileName getSaveFileName getExistingDirectory
);
my $callPattern = join '|', @calls;

my @findings;
sub balanced {    # the text of a parenthesised argument list starting at $pos (just past "(")
    my ($text, $pos) = @_;
    my $depth = 1;
    my $i = $pos;
    while ($i < length $text && $depth > 0) {
        my $c = substr($text, $i, 1);
        if ($c eq '"') {    # skip a string literal
            $i++;
            while ($i < length $text && substr($text, $i, 1) ne '"') {
                $i++ if substr($text, $i, 1) eq '\\';
                $i++;
            }
        } elsif ($c eq '(') {
            $depth++;
        } elsif ($c eq ')') {
            $depth--;
        }
        $i++;
    }
    return substr($text, $pos, $i - $pos - 1);
}

sub strip_translated {    # removes tr(...), translate(...), QT_TR_NOOP(...) with their arguments
    my ($args) = @_;
    while ($args =~ /\b(?:tr|translate|QT_TR_NOOP|QT_TRANSLATE_NOOP)\s*\(/g) {
        my $start = $-[0];
        my $inner = balanced($args, $+[0]);
        substr($args, $start, $+[0] - $start + length($inner) + 1) = '';
        pos($args) = $start;
    }
    return $args;
}

sub check_file {
    my ($file) = @_;
    open my $in, '<', $file or die "check-tr.pl: cannot read $file: $!\n";
    my $text = do { local $/; <$in> };
    close $in or die "check-tr.pl: cannot read $file: $!\n";
    # Comments out, lines kept (so that line numbers stay right); a no-tr marker blanks its line.
    $text =~ s{^(.*?)//\s*no-tr:.*$}{' ' x length($1)}gme;
    $text =~ s{/\*.*?\*/}{my $c = $&; $c =~ s/[^\n]/ /g; $c}gse;
    $text =~ s{//[^\n]*}{}g;
    while ($text =~ /(?:(?:QMessageBox|QInputDialog|QFileDialog)::)?\b($callPattern)\s*\(/g) {
        my ($name, $after) = ($1, $+[0]);
        my $args = strip_translated(balanced($text, $after));
        # A literal with a letter in it, e.g. "Retry" or QStringLiteral("%1 ms").
        my ($literal) = grep { (my $bare = $_) =~ s/\\.//g; $bare =~ /[A-Za-z]/ } $args =~ /"((?:[^"\\]|\\.)*)"/g;
        next unless defined $literal;
        # Icon theme names, object names, property names and style classes are not shown.
        next if $args =~ /\bQIcon::fromTheme\b|\bsetObjectName\b|\bsetProperty\b/ && $literal =~ /^[a-z][a-z0-9-]*$/;
        my $line = 1 + (substr($text, 0, $after) =~ tr/\n//);
        push @findings, "$file:$line: $name(... \"$literal\" ...) outside tr()";
    }
}

@ARGV or die "usage: scripts/check-tr.pl FOLDER...\n";
my @files;
find(sub { push @files, $File::Find::name if /\.(?:cpp|h)$/ }, @ARGV);
check_file($_) for sort @files;
print "$_\n" for @findings;
if (@findings) {
    printf "%d string(s) reach the user without tr()\n", scalar @findings;
    exit 1;
}
printf "ok: no literal reaches a widget or a message box outside tr() (%d files)\n", scalar @files;
