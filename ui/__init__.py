"""The Streamlit app's own modules: page set-up (setup), session-state keys (state), the upload
helpers of the Study page (study) and of the Study store page (store); the pages in ``ui/pages``."""
