package com.amazonaws.services.glue.util

/**
 * Test-only stand-in for AWS Glue's GlueArgParser (same signature). Like the real one, it returns the
 * named options without their "--" and fails when one is missing.
 */
object GlueArgParser {
  def getResolvedOptions(args: Array[String], options: Array[String]): Map[String, String] = {
    val pairs = args.sliding(2).collect {
      case Array(k, v) if k.startsWith("--") && !v.startsWith("--") => k.stripPrefix("--") -> v
    }.toMap
    options.map { o =>
      o -> pairs.getOrElse(o, throw new RuntimeException(s"Argument --$o is required but was not given"))
    }.toMap
  }
}
