import logging

from core.masking import mask_text


class MaskPersonalDataFilter(logging.Filter):
    """Masks IINs, phone numbers and e-mail addresses in every log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg = masked
            record.args = ()
        return True
