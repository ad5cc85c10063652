"""Photos of shopping lists: from an image to the item lines a typed message would give.

`image` loads and prepares the picture (size limits, grayscale, shadows, skew, small text),
`recognise` runs Tesseract over it and returns its lines with their confidence, `reading`
sends each line through the item engine (the normaliser, parser and resolver a typed message
goes through) and decides which lines were read and which must be typed, and `evaluation`
scores all of it on `data/eval/lists/`.
"""
