"""Photos of shopping lists: from an image to the item lines a typed message would give.

`image` loads and prepares the picture (size limits, grayscale, the sheet found on the table
and warped flat, shadows, skew, small text), `recognise` runs Tesseract over it and returns
its lines with their confidence (and reads doubtful words again with one model), `reading`
sends each line through the item engine (the normaliser, parser and resolver a typed message
goes through) and decides which lines were read, which to ask about and which must be
typed, `vocabulary` mends a word misread by a letter from the shop's catalog, and
`evaluation` scores all of it on `data/eval/lists/`.
"""
