#pragma once

#include "ergon/argumentschema.h"
#include "ergon/result.h"

#include <QJsonObject>
#include <QList>
#include <QWidget>

#include <optional>

class QFormLayout;
class QLabel;

namespace ergon {

/// A form built from a flow type's argument schema: one typed editor per field — a line edit
/// for a string, a spin box for a number, a spin box that takes any 64-bit-safe integer (or
/// nothing, for an optional field) for an int, a check box for a bool, a JSON editor for an object, an array or any
/// value — filled with the field's default, required fields marked, and a message under each field whose value does not
/// do (shown as soon as it is wrong; "required" only once the field was left empty after an edit, or when
/// showAllErrors() is called).
class ArgumentForm : public QWidget
{
    Q_OBJECT

public:
    explicit ArgumentForm(QWidget *parent = nullptr);
    ~ArgumentForm() override;

    /// Rebuilds the editors for the schema, with the defaults.
    void setSchema(const ArgumentSchema &schema);
    const ArgumentSchema &schema() const { return m_schema; }
    /// Fills the editors with these values (fields not given get their defaults; a value of the
    /// wrong type is left out), e.g. another flow's arguments.
    void setValues(const QJsonObject &values);

    /// The arguments entered (fields left empty and optional are absent), or the first fault,
    /// naming its field. The schema's own check (FlowRegistry::validate) comes on top.
    Result<QJsonObject> arguments() const;
    /// Whether every editor holds a value its field takes.
    bool isValid() const;

    /// The editor of a field (QLineEdit, QDoubleSpinBox, an int's QAbstractSpinBox, QCheckBox or
    /// QPlainTextEdit), or null.
    QWidget *editor(const QString &field) const;
    /// The message shown under a field (empty when none).
    QString message(const QString &field) const;
    /// Shows a message under a field, e.g. the scheduler's verdict; empty clears it.
    void setMessage(const QString &field, const QString &message);
    /// Shows every field's fault, "required" included.
    void showAllErrors();

Q_SIGNALS:
    /// A value was edited.
    void changed();

private:
    struct Field {
        ArgumentSpec spec;
        QWidget *editor = nullptr;
        QLabel *message = nullptr;
        bool touched = false;
    };

    QWidget *makeEditor(const ArgumentSpec &spec);
    /// The field's value: nullopt when left empty, or an error text.
    Result<std::optional<QJsonValue>> value(const Field &field) const;
    void revalidate();
    void clear();

    ArgumentSchema m_schema;
    QList<Field> m_fields;
    QFormLayout *m_layout;
    QLabel *m_empty;
    bool m_showAll = false;
};

} // namespace ergon
