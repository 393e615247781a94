// The console's translations (issue 19): the locale's .qm is loaded when there is one, and the
// texts are looked up in the contexts lupdate files them under. The second is checked with a
// pseudo-translation made from the English .ts (lrelease -markuntranslated): every text the
// .ts knows comes back marked, so a text whose context the .ts does not know shows up unmarked.

#include "models/flowstatusexplainer.h"
#include "models/flowtablemodel.h"
#include "shell/consoledialogs.h"
#include "shell/consoletranslations.h"

#include <ergon/records.h>

#include <QApplication>
#include <QFileDialog>
#include <QTest>
#include <QTranslator>

#include <memory>

using namespace ergon;

class TestConsoleTranslations : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void loadsTheLocalesFile()
    {
        // The English file is compiled into the console (it holds no translation yet).
        QCOMPARE(installConsoleTranslations(QLocale(QLocale::English, QLocale::UnitedKingdom)),
                 QStringLiteral(":/i18n/ergon-console_en.qm"));
    }

    void loadsNothingForALocaleWithoutOne()
    {
        QCOMPARE(installConsoleTranslations(QLocale(QLocale::Swahili, QLocale::Kenya)), QString());
    }

    void textsAreLookedUpInLupdatesContexts()
    {
        QTranslator pseudo;
        QVERIFY2(pseudo.load(QStringLiteral(ERGON_PSEUDO_QM)), ERGON_PSEUDO_QM);
        QVERIFY(QCoreApplication::installTranslator(&pseudo));
        const auto marked = [](const QString &text) { return text.startsWith(QStringLiteral("@@")); };

        // A class's tr().
        FlowTableModel model;
        const QString header = model.headerData(FlowTableModel::StatusColumn, Qt::Horizontal).toString();
        QVERIFY2(marked(header), qPrintable(header));
        // Free functions' texts, with a context of their own (FlowStatusExplainer, ConsoleDialogs).
        FlowRecord flow;
        flow.id = 7;
        flow.type = QStringLiteral("demo.Flaky");
        flow.status = FlowStatus::Failed;
        const QString explained = explainFlowStatus(flow, {}, {}, nullptr, QDateTime::currentDateTimeUtc()).text;
        QVERIFY2(marked(explained), qPrintable(explained));
        std::unique_ptr<QFileDialog> dialog(dialogs::openDatabase(nullptr, QString()));
        QVERIFY2(marked(dialog->windowTitle()), qPrintable(dialog->windowTitle()));
        QCoreApplication::removeTranslator(&pseudo);
    }
};

QTEST_MAIN(TestConsoleTranslations)
#include "tst_consoletranslations.moc"
