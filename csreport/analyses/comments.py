"""What customers write: personal data masked, comments classified into contact categories, themes per category.

Personal data (e-mail addresses, Chinese ID numbers, phone numbers) is replaced by ``[email]``, ``[id]`` and
``[phone]`` before any text leaves this module. Chinese is segmented with jieba, English split into lower-case
words; TF-IDF features feed a logistic regression per language (scikit-learn). Accuracy is measured on a
held-out quarter of the labelled comments (stratified, fixed seed) and reported as macro-F1; the top terms of
each category are the largest coefficients of its class.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from csreport.analyses.result import AnalysisResult
from csreport.metrics.calls import counted

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
CN_ID = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dXx])")
PHONE = re.compile(r"(?<!\d)(\+?\d[\d -]{6,}\d)(?!\d)")
CJK = re.compile(r"[\u4e00-\u9fff]")
WORD = re.compile(r"[a-z][a-z'-]+")
SEED = 0


def mask_pii(text: str | None) -> str | None:
    """``text`` with e-mail addresses, ID numbers and phone numbers replaced by placeholders."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None
    text = EMAIL.sub("[email]", str(text))
    text = CN_ID.sub("[id]", text)
    return PHONE.sub("[phone]", text)


def language(text: str) -> str:
    """``zh`` when the text contains Chinese characters, else ``en``."""
    return "zh" if CJK.search(text) else "en"


def tokens(text: str) -> list[str]:
    """Words of a comment: jieba segmentation for Chinese, lower-case words for English; placeholders dropped."""
    return list(_tokens(text))


@lru_cache(maxsize=100_000)
def _tokens(text: str) -> tuple[str, ...]:
    # a comment is split once per process: the classifier's vectoriser splits every text on each fit and predict
    text = re.sub(r"\[(email|id|phone)\]", " ", text)
    if language(text) == "zh":
        import jieba

        jieba.setLogLevel(logging.WARNING)
        return tuple(w for w in jieba.lcut(text) if w.strip() and not re.fullmatch(r"[\W_]+", w))
    return tuple(WORD.findall(text.lower()))


@dataclass(frozen=True)
class LanguageModel:
    language: str
    pipeline: Pipeline
    macro_f1: float
    accuracy: float
    train: int
    test: int
    top_terms: dict[str, list[str]]


@dataclass(frozen=True)
class CommentAnalysis(AnalysisResult):
    models: dict[str, LanguageModel]
    comments: pd.DataFrame  # masked text, language, category (label), predicted
    reason: str | None = None


def _fit(frame: pd.DataFrame, lang: str, top: int) -> LanguageModel:
    train, test = train_test_split(frame, test_size=0.25, random_state=SEED, stratify=frame["category"])
    pipeline = Pipeline(
        [
            (
                "tfidf",
                TfidfVectorizer(
                    tokenizer=tokens,
                    lowercase=False,
                    token_pattern=None,
                    ngram_range=(1, 2),
                    min_df=2,
                    sublinear_tf=True,
                ),
            ),
            ("model", LogisticRegression(max_iter=2000, C=4.0)),
        ]
    ).fit(train["text"], train["category"])
    predicted = pipeline.predict(test["text"])
    vocabulary = np.array(pipeline["tfidf"].get_feature_names_out())
    coefs = pipeline["model"].coef_
    classes = pipeline["model"].classes_
    top_terms = {c: vocabulary[np.argsort(coefs[i])[::-1][:top]].tolist() for i, c in enumerate(classes)}
    return LanguageModel(
        lang,
        pipeline,
        float(f1_score(test["category"], predicted, average="macro")),
        float(accuracy_score(test["category"], predicted)),
        len(train),
        len(test),
        top_terms,
    )


@counted("comments")
def analyse_comments(
    surveys: pd.DataFrame, contacts: pd.DataFrame, min_per_language: int = 100, top: int = 8
) -> CommentAnalysis:
    """Mask, label (by the surveyed contact's category), train and evaluate per language, and predict the
    category of comments without a label."""
    if "comment" not in surveys.columns or surveys["comment"].isna().all():
        return CommentAnalysis({}, pd.DataFrame(), "not enough data: no survey comments")
    frame = surveys.loc[surveys["comment"].notna(), ["comment"] + (["contact_id"] if "contact_id" in surveys else [])]
    frame = frame.assign(text=frame["comment"].map(mask_pii)).drop(columns="comment")
    frame["language"] = frame["text"].map(language)
    if "contact_id" in frame.columns and {"contact_id", "category"} <= set(contacts.columns):
        frame = frame.merge(contacts[["contact_id", "category"]], on="contact_id", how="left")
    else:
        frame["category"] = None
    models = {}
    for lang, group in frame[frame["category"].notna()].groupby("language"):
        counts = group["category"].value_counts()
        group = group[group["category"].isin(counts[counts >= 4].index)]
        if len(group) >= min_per_language and group["category"].nunique() >= 2:
            models[lang] = _fit(group, lang, top)
    frame["predicted"] = None
    for lang, model in models.items():
        rows = frame["language"] == lang
        frame.loc[rows, "predicted"] = model.pipeline.predict(frame.loc[rows, "text"])
    reason = None if models else f"not enough data: fewer than {min_per_language} labelled comments per language"
    return CommentAnalysis(models, frame.reset_index(drop=True), reason)
