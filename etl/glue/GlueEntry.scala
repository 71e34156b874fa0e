// AWS Glue 5.1 (Spark 3.5.6, Scala 2.12) entry script of the ETL job. Glue compiles this file at job
// start; the job's logic is the Java class io.mlops.etl.EtlJob in the ETL jar (--extra-jars).
// Glue job settings: --job-language scala, --class GlueApp, script location = this file.
// The build compiles it against the ETL classes and stubs of the Glue API (etl/src/glue-stubs), so a
// broken entry point fails `mvn verify`, not a Glue run.
import com.amazonaws.services.glue.GlueContext
import com.amazonaws.services.glue.util.{GlueArgParser, Job}
import org.apache.spark.SparkContext

import scala.collection.JavaConverters._

object GlueApp {
  def main(sysArgs: Array[String]): Unit = {
    val glueContext = new GlueContext(SparkContext.getOrCreate())
    val options = GlueArgParser.getResolvedOptions(sysArgs, Array("JOB_NAME"))
    Job.init(options("JOB_NAME"), glueContext, options.asJava)
    // Every argument (--input, --output, --settings, ...) goes to the Java job; it ignores Glue's own.
    io.mlops.etl.EtlJob.runGlue(glueContext.getSparkSession, sysArgs)
    Job.commit()
  }
}
