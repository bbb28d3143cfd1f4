Attribute VB_Name = "perfeval_buttons"
' The two buttons beside the form's title. RunPython belongs to the xlwings
' add-in, which this VBA project references; it runs the Python function with
' this workbook as xlwings' Book.caller().
Option Explicit

Sub PerfevalCheck()
    RunPython "import perfeval_xl.xlwings_macros as m; m.check()"
End Sub

Sub PerfevalExport()
    RunPython "import perfeval_xl.xlwings_macros as m; m.export()"
End Sub
