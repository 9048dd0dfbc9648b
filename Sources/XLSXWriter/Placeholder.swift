public enum XLSXWriterPlaceholder {}
