// Build tool: renders the application icon to PNG files, one per size.
//
// Qt's SVG module is not among the project's dependencies, so the PNGs cannot be rendered from
// ergon-console.svg at run time; this program paints the same geometry (a 256×256 canvas) with
// QPainter instead. Change both files together.

#include <QCoreApplication>
#include <QDir>
#include <QImage>
#include <QLinearGradient>
#include <QPainter>
#include <QPainterPath>
#include <QTextStream>

namespace {

void paintIcon(QPainter &painter)
{
    painter.setRenderHint(QPainter::Antialiasing);

    QLinearGradient background(0, 16, 0, 240);
    background.setColorAt(0, QColor(0x3a, 0x5f, 0x96));
    background.setColorAt(1, QColor(0x1c, 0x2f, 0x4f));
    painter.setPen(Qt::NoPen);
    painter.setBrush(background);
    painter.drawRoundedRect(QRectF(16, 16, 224, 224), 48, 48);

    QPainterPath edges;
    edges.moveTo(60, 128);
    edges.cubicTo(94, 128, 94, 76, 128, 76);
    edges.cubicTo(162, 76, 162, 128, 196, 128);
    edges.moveTo(60, 128);
    edges.cubicTo(94, 128, 94, 180, 128, 180);
    edges.cubicTo(162, 180, 162, 128, 196, 128);
    QColor edgeColor(Qt::white);
    edgeColor.setAlphaF(0.85f);
    painter.setBrush(Qt::NoBrush);
    painter.setPen(QPen(edgeColor, 12, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    painter.drawPath(edges);

    painter.setPen(Qt::NoPen);
    painter.setBrush(Qt::white);
    for (const QPointF &node : {QPointF(60, 128), QPointF(128, 76), QPointF(128, 180)})
        painter.drawEllipse(node, 18, 18);

    painter.setPen(QPen(Qt::white, 8));
    painter.setBrush(QColor(0xf6, 0xb7, 0x3c));
    painter.drawEllipse(QPointF(196, 128), 24, 24);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QTextStream err(stderr);
    const QStringList arguments = QCoreApplication::arguments();
    if (arguments.size() < 3) {
        err << "usage: " << arguments.value(0) << " OUTPUT_DIR SIZE...\n";
        return 2;
    }
    const QDir outputDir(arguments.at(1));
    if (!outputDir.mkpath(QStringLiteral("."))) {
        err << "cannot create " << outputDir.path() << '\n';
        return 1;
    }
    for (const QString &sizeText : arguments.mid(2)) {
        bool ok = false;
        const int size = sizeText.toInt(&ok);
        if (!ok || size <= 0) {
            err << "not a size: " << sizeText << '\n';
            return 2;
        }
        QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::transparent);
        QPainter painter(&image);
        painter.scale(size / 256.0, size / 256.0);
        paintIcon(painter);
        painter.end();
        const QString fileName = outputDir.filePath(QStringLiteral("ergon-console-%1.png").arg(size));
        if (!image.save(fileName, "PNG")) {
            err << "cannot write " << fileName << '\n';
            return 1;
        }
    }
    return 0;
}
