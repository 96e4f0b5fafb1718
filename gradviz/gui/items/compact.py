"""A compact node's images: each array of its run as one picture, under its title.

They are an item of their own, cached apart from the node's title: a run redraws the
images alone, and a stale mark only dims them (the cached picture is drawn fainter),
so a thousand nodes seen from afar take a new run or a stale mark cheaply."""
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QGraphicsItem


class CompactImages(QGraphicsItem):
    def __init__(self, node_item):
        super().__init__(node_item)
        self.node_item = node_item
        self._rect = QRectF()
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setVisible(False)

    def resize(self, width, height):
        """The node's size changed."""
        if (width, height) != (self._rect.width(), self._rect.height()):
            self.prepareGeometryChange()
            self._rect = QRectF(0, 0, width, height)

    def boundingRect(self):
        return self._rect

    def paint(self, painter, option, widget=None):
        node = self.node_item
        body = node.body
        if body is None or node.error or node.node.collapsed:
            return
        zoom = max(painter.worldTransform().m11(), 1e-3)
        band = min(node.compact_title(zoom)[1], self._rect.height())
        for _, heatmap in getattr(body, "maps", []):
            image = heatmap.thumbnail() if heatmap.isVisibleTo(body) else None
            if image is not None:
                spot = QRectF(heatmap.pos().x(), node.body_top() + heatmap.pos().y(),
                              *heatmap.pixel_size())
                if spot.bottom() > band:   # not over the title
                    painter.drawImage(spot.adjusted(0, max(0, band - spot.top()), 0, 0), image)
