"""Entry file for spark-submit: `spark-submit --master URL c360_spark_processing/__main__.py --input ...`."""

import sys

from c360_spark_processing.cli import main

if __name__ == "__main__":
    sys.exit(main())
