#include "widgets/argumentform.h"

#include "models/flowformat.h"

#include "ergon/jsontext.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace ergon {

namespace {

// What the schema takes as an int: a double that holds it exactly.
constexpr qint64 largestSafeInteger = 9007199254740991; // 2^53 - 1

const QString requiredKind = QStringLiteral("required");

// A spin box that writes numbers as short as they are ("2.5", not "2.500000") and takes as
// many decimals as a double holds.
class NumberSpinBox : public QDoubleSpinBox
{
public:
    explicit NumberSpinBox(QWidget *parent)
        : QDoubleSpinBox(parent)
    {
        QLocale plain = locale();
        plain.setNumberOptions(QLocale::OmitGroupSeparator);
        setLocale(plain);
        setDecimals(9);
        setRange(-1e15, 1e15);
        setAccelerated(true);
    }

    QString textFromValue(double value) const override
    {
        return locale().toString(value, 'f', QLocale::FloatingPointShortest);
    }
};

// A spin box for an int field: any whole number a JSON number holds exactly (beyond a QSpinBox's
// 32 bits), stepped with the arrows, the keys and the wheel; left empty, an optional field is
// absent. What is typed is checked by the form (with a message), so that the text stays as typed.
class IntegerSpinBox : public QAbstractSpinBox
{
public:
    explicit IntegerSpinBox(QWidget *parent)
        : QAbstractSpinBox(parent)
    {
        setAccelerated(true);
    }

    QLineEdit *edit() const { return lineEdit(); }

    QValidator::State validate(QString &input, int &) const override
    {
        static const QRegularExpression digits(QRegularExpression::anchoredPattern(QStringLiteral("-?[0-9]{0,19}")));
        return digits.match(input).hasMatch() ? QValidator::Acceptable : QValidator::Invalid;
    }

    void stepBy(int steps) override
    {
        bool ok = false;
        const qint64 now = text().trimmed().toLongLong(&ok);
        const qint64 next = std::clamp((ok ? now : 0) + steps, -largestSafeInteger, largestSafeInteger);
        lineEdit()->setText(QString::number(next));
        selectAll();
    }

protected:
    StepEnabled stepEnabled() const override
    {
        bool ok = false;
        const qint64 now = text().trimmed().toLongLong(&ok);
        if (!ok)
            return StepUpEnabled | StepDownEnabled;
        StepEnabled enabled = StepNone;
        if (now < largestSafeInteger)
            enabled |= StepUpEnabled;
        if (now > -largestSafeInteger)
            enabled |= StepDownEnabled;
        return enabled;
    }
};

QString jsonText(const QJsonValue &value)
{
    if (value.isObject())
        return flowformat::prettyJson(value.toObject());
    if (value.isUndefined())
        return {};
    return flowformat::prettyJson(toJsonText(value));
}

} // namespace

ArgumentForm::ArgumentForm(QWidget *parent)
    : QWidget(parent)
    , m_layout(new QFormLayout(this))
    , m_empty(new QLabel(tr("This flow type takes no arguments."), this))
{
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_layout->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_layout->setLabelAlignment(Qt::AlignRight | Qt::AlignTop);
    m_layout->setRowWrapPolicy(QFormLayout::DontWrapRows);
    m_layout->setVerticalSpacing(12);
    m_empty->setEnabled(false);
    m_layout->addRow(m_empty);
}

ArgumentForm::~ArgumentForm() = default;

void ArgumentForm::clear()
{
    while (m_layout->rowCount() > 1)
        m_layout->removeRow(1);
    m_fields.clear();
    m_showAll = false;
}

void ArgumentForm::setSchema(const ArgumentSchema &schema)
{
    clear();
    m_schema = schema;
    m_empty->setVisible(schema.fields().isEmpty());
    const QPalette pal = palette();
    const QColor requiredColor = flowformat::statusColor(FlowStatus::Failed, pal);
    for (const ArgumentSpec &spec : schema.fields()) {
        Field field;
        field.spec = spec;
        field.editor = makeEditor(spec);
        field.editor->setObjectName(spec.name);
        field.editor->setToolTip(spec.description);

        auto *box = new QWidget(this);
        auto *column = new QVBoxLayout(box);
        column->setContentsMargins(0, 0, 0, 0);
        column->setSpacing(2);
        column->addWidget(field.editor);
        if (!spec.description.isEmpty()) {
            auto *hint = new QLabel(spec.description, box);
            hint->setWordWrap(true);
            hint->setForegroundRole(QPalette::PlaceholderText);
            QFont small = hint->font();
            small.setPointSizeF(small.pointSizeF() * 0.9);
            hint->setFont(small);
            column->addWidget(hint);
        }
        field.message = new QLabel(box);
        field.message->setWordWrap(true);
        QPalette messagePalette = field.message->palette();
        messagePalette.setColor(QPalette::WindowText, requiredColor);
        field.message->setPalette(messagePalette);
        field.message->hide();
        column->addWidget(field.message);

        QString label = QStringLiteral("<b>%1</b>").arg(spec.name.toHtmlEscaped());
        if (spec.required)
            label += QStringLiteral("<span style=\"color:%1\">&nbsp;*</span>").arg(requiredColor.name());
        label += QStringLiteral("<br><span style=\"color:%1\">%2</span>")
                     .arg(pal.color(QPalette::PlaceholderText).name(), ArgumentSpec::typeName(spec.type));
        auto *labelWidget = new QLabel(label, this);
        labelWidget->setTextFormat(Qt::RichText);
        labelWidget->setBuddy(field.editor);
        labelWidget->setToolTip(spec.required ? tr("Required") : tr("Optional"));
        m_layout->addRow(labelWidget, box);
        m_fields.append(field);
    }
    revalidate();
}

QWidget *ArgumentForm::makeEditor(const ArgumentSpec &spec)
{
    const QJsonValue fallback = spec.defaultValue;
    const auto edited = [this, name = spec.name] {
        for (Field &field : m_fields) {
            if (field.spec.name == name)
                field.touched = true;
        }
        revalidate();
        Q_EMIT changed();
    };
    switch (spec.type) {
    case ArgumentSpec::Type::String: {
        auto *edit = new QLineEdit(fallback.toString(), this);
        edit->setPlaceholderText(spec.required ? tr("required") : tr("optional"));
        connect(edit, &QLineEdit::textChanged, this, edited);
        return edit;
    }
    case ArgumentSpec::Type::Number: {
        auto *spin = new NumberSpinBox(this);
        spin->setValue(fallback.toDouble(0.0));
        connect(spin, &QDoubleSpinBox::valueChanged, this, edited);
        return spin;
    }
    case ArgumentSpec::Type::Integer: {
        // Digits only; the range (what a JSON number holds exactly) is checked with a message.
        auto *spin = new IntegerSpinBox(this);
        if (fallback.isDouble())
            spin->edit()->setText(QString::number(fallback.toInteger()));
        spin->edit()->setPlaceholderText(spec.required ? tr("required whole number") : tr("whole number"));
        connect(spin->edit(), &QLineEdit::textChanged, this, edited);
        return spin;
    }
    case ArgumentSpec::Type::Boolean: {
        auto *check = new QCheckBox(this);
        check->setChecked(fallback.toBool(false));
        connect(check, &QCheckBox::toggled, this, edited);
        return check;
    }
    case ArgumentSpec::Type::Object:
    case ArgumentSpec::Type::Array:
    case ArgumentSpec::Type::Any:
        break;
    }
    auto *edit = new QPlainTextEdit(jsonText(fallback), this);
    edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    edit->setTabChangesFocus(true);
    edit->setLineWrapMode(QPlainTextEdit::NoWrap);
    edit->setFixedHeight(edit->fontMetrics().lineSpacing() * 4 + 12);
    edit->setPlaceholderText(spec.type == ArgumentSpec::Type::Object      ? QStringLiteral("{ }")
                                 : spec.type == ArgumentSpec::Type::Array ? QStringLiteral("[ ]")
                                                                          : tr("any JSON value"));
    connect(edit, &QPlainTextEdit::textChanged, this, edited);
    return edit;
}

Result<std::optional<QJsonValue>> ArgumentForm::value(const Field &field) const
{
    const ArgumentSpec &spec = field.spec;
    const auto missing = [&spec]() -> Result<std::optional<QJsonValue>> {
        if (spec.required)
            return Error(tr("Required."), requiredKind);
        return std::optional<QJsonValue>();
    };
    switch (spec.type) {
    case ArgumentSpec::Type::String: {
        const QString text = static_cast<QLineEdit *>(field.editor)->text();
        if (text.isEmpty())
            return missing();
        return std::optional<QJsonValue>(text);
    }
    case ArgumentSpec::Type::Number:
        return std::optional<QJsonValue>(static_cast<QDoubleSpinBox *>(field.editor)->value());
    case ArgumentSpec::Type::Integer: {
        const QString text = static_cast<IntegerSpinBox *>(field.editor)->text().trimmed();
        if (text.isEmpty())
            return missing();
        bool ok = false;
        const qint64 number = text.toLongLong(&ok);
        if (!ok || number > largestSafeInteger || number < -largestSafeInteger)
            return Error(tr("A whole number between %L1 and %L2.").arg(-largestSafeInteger).arg(largestSafeInteger));
        return std::optional<QJsonValue>(QJsonValue(number));
    }
    case ArgumentSpec::Type::Boolean:
        return std::optional<QJsonValue>(static_cast<QCheckBox *>(field.editor)->isChecked());
    case ArgumentSpec::Type::Object:
    case ArgumentSpec::Type::Array:
    case ArgumentSpec::Type::Any:
        break;
    }
    const QString text = static_cast<QPlainTextEdit *>(field.editor)->toPlainText().trimmed();
    if (text.isEmpty())
        return missing();
    auto parsed = fromJsonText(text.toUtf8());
    if (!parsed)
        return Error(tr("Not valid JSON: %1").arg(parsed.errorString()));
    if (spec.type == ArgumentSpec::Type::Object && !parsed->isObject())
        return Error(tr("A JSON object { … } is expected, not %1.").arg(describeJsonType(*parsed)));
    if (spec.type == ArgumentSpec::Type::Array && !parsed->isArray())
        return Error(tr("A JSON array [ … ] is expected, not %1.").arg(describeJsonType(*parsed)));
    return std::optional<QJsonValue>(*parsed);
}

void ArgumentForm::setValues(const QJsonObject &values)
{
    setSchema(m_schema); // the defaults, then what is given
    for (const Field &field : std::as_const(m_fields)) {
        const QJsonValue value = values.value(field.spec.name);
        if (value.isUndefined())
            continue;
        switch (field.spec.type) {
        case ArgumentSpec::Type::String:
            if (value.isString())
                static_cast<QLineEdit *>(field.editor)->setText(value.toString());
            continue;
        case ArgumentSpec::Type::Number:
            if (value.isDouble())
                static_cast<QDoubleSpinBox *>(field.editor)->setValue(value.toDouble());
            continue;
        case ArgumentSpec::Type::Integer:
            if (value.isDouble())
                static_cast<IntegerSpinBox *>(field.editor)->edit()->setText(QString::number(value.toInteger()));
            continue;
        case ArgumentSpec::Type::Boolean:
            if (value.isBool())
                static_cast<QCheckBox *>(field.editor)->setChecked(value.toBool());
            continue;
        case ArgumentSpec::Type::Object:
        case ArgumentSpec::Type::Array:
        case ArgumentSpec::Type::Any:
            static_cast<QPlainTextEdit *>(field.editor)->setPlainText(jsonText(value));
            continue;
        }
    }
    for (Field &field : m_fields)
        field.touched = false; // filled in, not typed: "required" waits for an edit as before
    revalidate();
    Q_EMIT changed();
}

Result<QJsonObject> ArgumentForm::arguments() const
{
    QJsonObject object;
    for (const Field &field : m_fields) {
        auto entered = value(field);
        if (!entered)
            return entered.error().prefixed(field.spec.name);
        if (entered->has_value())
            object.insert(field.spec.name, **entered);
    }
    return object;
}

bool ArgumentForm::isValid() const
{
    return arguments().ok();
}

QWidget *ArgumentForm::editor(const QString &name) const
{
    for (const Field &field : m_fields) {
        if (field.spec.name == name)
            return field.editor;
    }
    return nullptr;
}

QString ArgumentForm::message(const QString &name) const
{
    for (const Field &field : m_fields) {
        if (field.spec.name == name)
            return field.message->isHidden() ? QString() : field.message->text();
    }
    return {};
}

void ArgumentForm::setMessage(const QString &name, const QString &message)
{
    for (Field &field : m_fields) {
        if (field.spec.name != name)
            continue;
        field.message->setText(message);
        field.message->setVisible(!message.isEmpty());
    }
}

void ArgumentForm::showAllErrors()
{
    m_showAll = true;
    revalidate();
}

void ArgumentForm::revalidate()
{
    for (Field &field : m_fields) {
        const auto entered = value(field);
        const bool show = !entered && (entered.error().kind() != requiredKind || field.touched || m_showAll);
        field.message->setText(show ? entered.errorString() : QString());
        field.message->setVisible(show);
    }
}

} // namespace ergon
