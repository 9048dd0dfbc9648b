public enum InzagePlaceholder {}
