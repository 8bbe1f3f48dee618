<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!-- Qt texts that qtbase_zh_CN.qm (shipped with PySide6) lacks: Qt 6 added a shortcut letter
     to these file dialog labels, so the old translations no longer match. Loaded after qtbase
     by ui.app.install_qt_translations. Rebuild: pyside6-lrelease qt_extra_zh_CN.ts -->
<TS version="2.1" language="zh_CN">
<context>
    <name>QFileDialog</name>
    <message>
        <source>&amp;Look in:</source>
        <translation>查找范围(&amp;L)：</translation>
    </message>
    <message>
        <source>Files of &amp;type:</source>
        <translation>文件类型(&amp;T)：</translation>
    </message>
</context>
</TS>
