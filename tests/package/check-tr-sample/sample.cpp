// Input of the test check_tr_finds_literals (tests/package/CMakeLists.txt): lines 5, 7 and 9
// show literals to the user without tr(); the others do not.
void sample(QLabel *label, QMessageBox *box, QToolButton *button, int n)
{
    label->setText(QStringLiteral("Hello"));
    label->setText(tr("Stopped %1").arg(n));
    QMessageBox::warning(label, tr("Title"), QStringLiteral("Not %1").arg(n));
    button->setToolTip(QStringLiteral("orders.OrderProcessor")); // no-tr: a sample type name
    new QPushButton(QLatin1String("Start"), label);
    label->setText(QStringLiteral("\u2014")); /* a dash: no letter */
    box->setInformativeText(QStringLiteral("\n\n") + tr("More."));
}
