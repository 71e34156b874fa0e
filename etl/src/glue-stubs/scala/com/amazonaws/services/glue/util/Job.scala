package com.amazonaws.services.glue.util

import com.amazonaws.services.glue.GlueContext

/**
 * Test-only stand-in for AWS Glue's Job object (same signatures). It records the calls so that tests
 * can assert that the entry script initialises and commits the job.
 */
object Job {
  @volatile var initialisedWith: Option[(String, java.util.Map[String, String])] = None
  @volatile var commits: Int = 0

  def init(jobName: String, glueContext: GlueContext, args: java.util.Map[String, String]): Unit = {
    require(glueContext != null, "glueContext")
    initialisedWith = Some((jobName, args))
  }

  def commit(): Unit = commits += 1

  def reset(): Unit = {
    initialisedWith = None
    commits = 0
  }
}
