package com.amazonaws.services.glue

import org.apache.spark.SparkContext
import org.apache.spark.sql.SparkSession

/**
 * Test-only stand-in for the part of AWS Glue's GlueContext that etl/glue/GlueEntry.scala uses (same
 * constructor and method signature as Glue 5.x's). Never shipped: the Glue runtime provides the real one.
 */
class GlueContext(sc: SparkContext) {
  require(sc != null, "sc")
  def getSparkSession: SparkSession = SparkSession.builder().getOrCreate()
}
