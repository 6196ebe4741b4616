"""Understanding Japanese SME inquiries: normalisation, tokens, entities, the classifier.

Pure functions and a trained scikit-learn pipeline; this package imports nothing from
storage, routing or the channels.
"""
